/**
 * The shell: navigation, the key gate (no key or a rejected key → the key form), and the
 * page for the current hash route. `now` ticks every second for durations of live runs.
 */
import { useEffect, useState } from 'react';
import { ApiProvider, useApi } from './api/api-context.tsx';
import { AbTestPage, AbTestsPage } from './pages/ab-tests-pages.tsx';
import { ComparePage } from './pages/compare-page.tsx';
import { DatasetPage, DatasetsPage, DatasetVersionPage } from './pages/datasets-pages.tsx';
import { EvaluationPage } from './pages/evaluation-page.tsx';
import { ExperimentPage } from './pages/experiment-page.tsx';
import { ExperimentsPage } from './pages/experiments-page.tsx';
import { KeyPage } from './pages/key-page.tsx';
import { ModelPage } from './pages/model-page.tsx';
import { ModelsPage } from './pages/models-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { QueuesPage } from './pages/queues-page.tsx';
import { RunPage } from './pages/run-page.tsx';
import { href, parseRoute, type Route } from './routing/routes.ts';

function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function Page({ route, now }: { route: Route; now: number }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage now={now} />;
    case 'experiments':
      return <ExperimentsPage now={now} />;
    case 'experiment':
      return <ExperimentPage key={route.id} id={route.id} now={now} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} now={now} />;
    case 'models':
      return <ModelsPage now={now} />;
    case 'model':
      return <ModelPage key={route.name} name={route.name} />;
    case 'evaluation':
      return <EvaluationPage key={route.id} id={route.id} />;
    case 'compare':
      return <ComparePage key={route.ids.join(',')} ids={route.ids} />;
    case 'datasets':
      return <DatasetsPage now={now} />;
    case 'dataset':
      return <DatasetPage key={route.id} id={route.id} />;
    case 'dataset-version':
      return <DatasetVersionPage key={route.id} id={route.id} />;
    case 'ab-tests':
      return <AbTestsPage now={now} />;
    case 'ab-test':
      return <AbTestPage key={route.id} id={route.id} />;
    case 'queues':
      return <QueuesPage />;
    case 'settings':
      return <KeyPage onDone={() => (window.location.hash = href.experiments())} />;
    case 'not-found':
      return (
        <p className="error-box">
          No page at <code>{route.path}</code>. <a href={href.overview()}>Go to the overview</a>.
        </p>
      );
  }
}

const NAV: Array<[string, string, Route['page'][]]> = [
  ['Overview', href.overview(), ['overview']],
  ['Experiments', href.experiments(), ['experiments', 'experiment', 'run']],
  ['Models', href.models(), ['models', 'model', 'evaluation', 'compare']],
  ['Datasets', href.datasets(), ['datasets', 'dataset', 'dataset-version']],
  ['A/B tests', href.abTests(), ['ab-tests', 'ab-test']],
  ['Queues', href.queues(), ['queues']],
];

function Shell() {
  const route = useHashRoute();
  const now = useNow();
  const { apiKey, rejection } = useApi();
  const needsKey = !apiKey || rejection !== null;
  return (
    <>
      <header className="topbar">
        <a className="brand" href={href.overview()}>
          Lathe
        </a>
        <nav>
          {NAV.map(([label, link, pages]) => (
            <a key={label} href={link} className={pages.includes(route.page) ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <a className={`key-link ${needsKey ? 'bad' : ''}`} href={href.settings()}>
          {apiKey ? (rejection ? 'key rejected' : 'API key ✓') : 'no API key'}
        </a>
      </header>
      <main>{needsKey ? <KeyPage /> : <Page route={route} now={now} />}</main>
    </>
  );
}

export function App() {
  return (
    <ApiProvider>
      <Shell />
    </ApiProvider>
  );
}
