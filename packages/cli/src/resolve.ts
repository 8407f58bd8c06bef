/** Names or ids: commands accept either, and resolve a name with the list route's exact filter. */
import type { ApiClient } from './api-client.ts';
import { CliError } from './io.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveId(
  client: ApiClient,
  what: 'experiments' | 'ab-tests',
  nameOrId: string,
): Promise<string> {
  if (UUID.test(nameOrId)) return nameOrId;
  const archived = what === 'experiments' ? '&archived=all' : '';
  const { body } = await client.json<{ items: Array<{ id: string; name: string }> }>(
    'GET',
    `/${what}?name=${encodeURIComponent(nameOrId)}${archived}`,
  );
  const found = body.items.find((item) => item.name === nameOrId);
  if (!found)
    throw new CliError(
      `no ${what === 'experiments' ? 'experiment' : 'A/B test'} named ${JSON.stringify(nameOrId)}`,
    );
  return found.id;
}

export async function resolveDatasetId(client: ApiClient, nameOrId: string): Promise<string> {
  if (UUID.test(nameOrId)) return nameOrId;
  const { body } = await client.json<{ items: Array<{ id: string; name: string }> }>(
    'GET',
    `/datasets?name=${encodeURIComponent(nameOrId)}&limit=500`,
  );
  const found = body.items.find((item) => item.name === nameOrId);
  if (!found)
    throw new CliError(
      `no dataset named ${JSON.stringify(nameOrId)}; create it with \`lathe dataset ingest <file> --name ${nameOrId} --use-case …\``,
    );
  return found.id;
}
