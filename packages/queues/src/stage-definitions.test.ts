import { describe, expect, it } from 'vitest';
import { stageOutputSchemas } from '@lathe/contract';
import { STAGES } from '@lathe/registry';
import { STAGE_DEFINITIONS } from './stage-definitions.ts';

describe('stage definitions', () => {
  it('declare every stage once, under its own name, with its contract output schema', () => {
    expect(Object.keys(STAGE_DEFINITIONS).sort()).toEqual([...STAGES].sort());
    for (const stage of STAGES) {
      expect(STAGE_DEFINITIONS[stage].name).toBe(stage);
      expect(STAGE_DEFINITIONS[stage].output).toBe(stageOutputSchemas[stage]);
    }
  });

  it('read only stages that run before them, so the pipeline stays acyclic', () => {
    for (const stage of STAGES) {
      for (const read of STAGE_DEFINITIONS[stage].reads)
        expect(STAGES.indexOf(read), `${stage} reads ${read}`).toBeLessThan(STAGES.indexOf(stage));
    }
  });

  it('copy the dataset version onto the run from ingest only', () => {
    const datasetVersionId = '7b0e4c1a-2f64-4a35-9a55-0d8a2f0c9e11';
    expect(STAGE_DEFINITIONS.ingest.runFields({ datasetVersionId, sha256: 'a'.repeat(64), rows: 3 })).toEqual(
      { datasetVersionId },
    );
    expect(
      STAGE_DEFINITIONS.deploy.runFields({
        strategy: 'none',
        modelVersionId: datasetVersionId,
        deploymentId: null,
        abTestId: null,
        reason: 'already in production',
        plan: null,
      }),
    ).toEqual({});
  });

  it('refuse an output missing a field, naming it', () => {
    const parsed = STAGE_DEFINITIONS.train.output.safeParse({ epochs: 1 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain('modelVersionId');
  });
});
