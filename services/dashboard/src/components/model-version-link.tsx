/**
 * A model version by its name and number (`churn-mlp v3`), linked to its model's page, where a
 * list only carries its id (deployments, A/B variants). The short id shows until it loads, and
 * stays if the version cannot be read.
 */
import { useApiData } from '../api/api-context.tsx';
import type { ModelVersion } from '@lathe/contract';
import { shortId } from '../format/format.ts';
import { href } from '../routing/routes.ts';

export function ModelVersionLink({ id }: { id: string }) {
  const version = useApiData<ModelVersion>(`/model-versions/${encodeURIComponent(id)}`);
  if (!version.data) return <code title={id}>{shortId(id)}</code>;
  return (
    <a href={href.model(version.data.modelName)} title={id}>
      {version.data.modelName} v{version.data.version}
    </a>
  );
}
