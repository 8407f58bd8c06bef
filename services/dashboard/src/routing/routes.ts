/**
 * Hash routes (`#/runs/<id>`): the API serves the dashboard's files at `/` and owns every
 * other path (`/runs/:id` is JSON there), so page addresses live in the fragment, which the
 * browser never sends to the server. Pure: parse and build.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'experiments' }
  | { page: 'experiment'; id: string }
  | { page: 'run'; id: string }
  | { page: 'models' }
  | { page: 'model'; name: string }
  | { page: 'evaluation'; id: string }
  /** Two or more evaluations; the first is the one the others are measured against. */
  | { page: 'compare'; ids: string[] }
  | { page: 'datasets' }
  | { page: 'dataset'; id: string }
  | { page: 'dataset-version'; id: string }
  | { page: 'ab-tests' }
  | { page: 'ab-test'; id: string }
  | { page: 'queues' }
  | { page: 'settings' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const query = new URLSearchParams(queryPart);
  const [head, id, ...rest] = segments;
  if (rest.length > 0) return { page: 'not-found', path: pathPart };
  switch (head) {
    case undefined:
      return { page: 'overview' };
    case 'experiments':
      return id ? { page: 'experiment', id } : { page: 'experiments' };
    case 'runs':
      return id ? { page: 'run', id } : { page: 'experiments' };
    case 'models':
      return id ? { page: 'model', name: id } : { page: 'models' };
    case 'evaluations':
      if (id === 'compare') {
        // `ids=a,b,c`; `a=…&b=…` is the older two-evaluation form.
        const listed = (query.get('ids') ?? '').split(',').filter(Boolean);
        const ids = listed.length > 0 ? listed : [query.get('a'), query.get('b')].filter((v) => !!v);
        return ids.length >= 2 ? { page: 'compare', ids: ids as string[] } : { page: 'not-found', path: raw };
      }
      return id ? { page: 'evaluation', id } : { page: 'models' };
    case 'datasets':
      return id ? { page: 'dataset', id } : { page: 'datasets' };
    case 'dataset-versions':
      return id ? { page: 'dataset-version', id } : { page: 'datasets' };
    case 'ab-tests':
      return id ? { page: 'ab-test', id } : { page: 'ab-tests' };
    case 'queues':
      return id ? { page: 'not-found', path: pathPart } : { page: 'queues' };
    case 'settings':
      return id ? { page: 'not-found', path: pathPart } : { page: 'settings' };
    default:
      return { page: 'not-found', path: pathPart };
  }
}

const seg = encodeURIComponent;

export const href = {
  overview: () => '#/',
  experiments: () => '#/experiments',
  experiment: (id: string) => `#/experiments/${seg(id)}`,
  run: (id: string) => `#/runs/${seg(id)}`,
  models: () => '#/models',
  model: (name: string) => `#/models/${seg(name)}`,
  evaluation: (id: string) => `#/evaluations/${seg(id)}`,
  compare: (...ids: string[]) => `#/evaluations/compare?ids=${ids.map(seg).join(',')}`,
  datasets: () => '#/datasets',
  dataset: (id: string) => `#/datasets/${seg(id)}`,
  datasetVersion: (id: string) => `#/dataset-versions/${seg(id)}`,
  abTests: () => '#/ab-tests',
  abTest: (id: string) => `#/ab-tests/${seg(id)}`,
  queues: () => '#/queues',
  settings: () => '#/settings',
};
