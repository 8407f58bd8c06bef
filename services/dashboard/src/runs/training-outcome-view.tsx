/**
 * What a run's training ended with: the epoch whose weights the model version kept and why, the
 * overfitting flag (a warning, with what to try), and a moved decision threshold.
 */
import type { TrainingOutcome } from '@lathe/contract';
import { KeyValues } from '../components/common.tsx';

export function TrainingOutcomeView({ outcome }: { outcome: TrainingOutcome }) {
  return (
    <div data-testid="training-outcome">
      <KeyValues
        items={[
          ['kept weights', `epoch ${outcome.keptEpoch} of ${outcome.epochsRun}`],
          ['why', outcome.reason],
          ...(outcome.decisionThreshold
            ? ([['decision threshold', outcome.decisionThreshold.reason]] as Array<[string, string]>)
            : []),
        ]}
      />
      {outcome.overfitting ? (
        <div className="error-box" role="status" data-testid="run-overfitting">
          <span className="badge badge-warn">overfitting</span> {outcome.overfitting.message}
        </div>
      ) : null}
    </div>
  );
}
