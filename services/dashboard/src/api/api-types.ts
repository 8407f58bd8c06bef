/**
 * The shapes the dashboard reads from the admin API (services/api/src/routes/*.ts and
 * /openapi.json). Only the fields the pages use; the API may send more.
 */
import type { TrainingOutcome } from '@lathe/contract';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StageName = 'ingest' | 'train' | 'evaluate' | 'deploy';
export type StageStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type RunTrigger = 'manual' | 'api' | 'schedule' | 'retry';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Experiment {
  id: string;
  name: string;
  description: string;
  useCase: string;
  modelFamily: string;
  hyperparameters: Record<string, unknown>;
  datasetId: string;
  gate: GateRule[];
  rolloutPolicy: Record<string, unknown>;
  cacheEnabled: boolean;
  revision: number;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StageExecution {
  stage: StageName;
  status: StageStatus;
  attempts: number;
  progress: number;
  cacheHit: boolean;
  errorCode?: string | null;
  errorMessage?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
}

export interface Run {
  id: string;
  experimentId: string;
  status: RunStatus;
  stage: StageName | null;
  progress: number;
  trigger: RunTrigger;
  seed?: number;
  backend?: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  errorStage?: StageName | null;
  queuedAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  stages?: StageExecution[];
  trainingOutcome?: TrainingOutcome | null;
}

export interface MetricPoint {
  step: number;
  value: number;
}

export interface RunMetrics {
  runId: string;
  series: Record<string, MetricPoint[]>;
}

export interface Schedule {
  id: string;
  experimentId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  skippedTicks: number;
  lastTickAt: string | null;
  lastRunId: string | null;
}

export interface ModelVersion {
  id: string;
  modelName: string;
  version: number;
  runId: string | null;
  useCase: string;
  modelFamily: string;
  sha256: string;
  sizeBytes: string;
  metrics: Record<string, unknown>;
  createdAt: string;
}

export interface ModelSummary {
  modelName: string;
  versions: number;
  latest: ModelVersion;
  aliases: Record<string, number>;
}

export interface ModelAlias {
  modelName: string;
  alias: string;
  modelVersionId: string;
  revision: number;
  updatedAt: string;
  modelVersion?: ModelVersion;
}

export type GateVerdict = 'passed' | 'failed' | 'overridden';

export interface Evaluation {
  id: string;
  modelVersionId: string;
  datasetVersionId: string;
  split: string;
  runId: string | null;
  metrics: Record<string, unknown>;
  verdict: GateVerdict;
  reasons: unknown;
  baselineModelVersionId: string | null;
  baselineMetrics: Record<string, unknown> | null;
  overrideReason: string | null;
  createdAt: string;
}

/** A point of a stored curve (ROC: x = FPR, y = TPR; PR: x = recall, y = precision). */
export interface CurvePoint {
  x: number;
  y: number;
  threshold?: number;
}

/** A calibration bin as @lathe/ml stores it: empty bins carry no means. */
export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  empty: boolean;
  meanPredicted?: number;
  fractionPositive?: number;
}

export interface ClassSummary {
  label: number;
  name: string;
  support: number;
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
  auc?: number;
}

/**
 * Evaluation.curves as the evaluate stage stores them (@lathe/ml's EvaluationSummary curves plus
 * per-class rows and the confusion matrix). Every field is optional: regression and ranking
 * evaluations have none of them, and `lift` / `gains` (x = share of rows targeted, best scores
 * first) only exist where the evaluation computed them.
 */
export interface EvaluationCurves {
  roc?: CurvePoint[];
  pr?: CurvePoint[];
  rocPerClass?: Array<{ label: number; name: string; points: CurvePoint[] }>;
  calibration?: CalibrationBin[];
  perClass?: ClassSummary[];
  /** Rows = true class, columns = predicted class (sklearn's confusion_matrix). */
  confusionMatrix?: number[][];
  lift?: CurvePoint[];
  gains?: CurvePoint[];
  /** Ranking: the same metrics of recommending the most popular items, and the model against it. */
  popularityBaseline?: {
    metrics: Record<string, number>;
    comparison: Record<string, { model: number; baseline: number; delta: number; lift?: number }>;
  };
}

/** One segment of the test split with its own metrics (@lathe/ml's Slice). */
export type EvaluationSlice =
  | { segment: string; count: 0; empty: true }
  | { segment: string; count: number; empty: false; metrics: Record<string, number> };

export interface EvaluationDetail extends Evaluation {
  curves?: EvaluationCurves | null;
  slices?: EvaluationSlice[] | null;
}

export interface Deployment {
  id: string;
  endpoint: string;
  modelVersionId: string;
  runId: string | null;
  strategy: string;
  status: 'pending' | 'active' | 'rolling_out' | 'rolled_back' | 'retired' | 'failed';
  traffic: number;
  createdAt: string;
  updatedAt: string;
  /** Blue-green: when a gateway had it loaded and warmed. */
  warmedAt?: string | null;
  /** Shadow: its answers compared with production's (null for other strategies). */
  shadow?: {
    answers: number;
    errors: number;
    agreementRate: number | null;
    meanScoreDelta: number | null;
    meanAbsScoreDelta: number | null;
    meanShadowLatencyMs: number | null;
    meanProductionLatencyMs: number | null;
  } | null;
}

export interface EvaluationComparison {
  a: Evaluation;
  b: Evaluation;
  sameData: boolean;
  metrics: Array<{
    metric: string;
    a: number | null;
    b: number | null;
    difference: number | null;
    relative: number | null;
  }>;
}

export interface Dataset {
  id: string;
  name: string;
  useCase: string;
  description: string;
  createdAt: string;
}

export interface DatasetVersion {
  id: string;
  datasetId: string;
  version: number;
  sha256: string;
  format: string;
  rows: number;
  sizeBytes: string;
  schema: unknown;
  profile: unknown;
  split: unknown;
  drift: unknown;
  parentId: string | null;
  createdAt: string;
}

export interface AbVariant {
  id: string;
  name: string;
  isControl: boolean;
  modelVersionId: string;
  weight: number;
}

export interface AbTest {
  id: string;
  name: string;
  endpoint: string;
  experimentId: string | null;
  status: 'draft' | 'running' | 'stopped' | 'promoted' | 'rolled_back';
  primaryMetric: string;
  policy: Record<string, unknown>;
  currentStep: number;
  decision: string | null;
  decisionReasons: unknown;
  startedAt: string | null;
  endedAt: string | null;
  createdAt: string;
  variants: AbVariant[];
}

/**
 * The A/B report (GET /ab-tests/:id/report) is not declared here: it is `AbReport` from
 * @lathe/experiments, imported as a type only (see ab-tests/ab-report-view.ts).
 */

export interface QueueStat {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface DeadLetter {
  jobId: string;
  queue: string;
  name: string;
  runId: string | null;
  stage: string | null;
  attemptsMade: number;
  failedReason: string;
  failedAt: string | null;
}

/** RFC 9457 problem details, as every API error is sent. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Array<{ field: string; message: string }>;
}

/** A gate threshold as @lathe/ml's gate schema defines it: absolute, or a change vs production. */
export type GateRule =
  | { metric: string; op: '>=' | '<='; value: number }
  | { metric: string; maxDecrease: number; relative?: boolean }
  | { metric: string; maxIncrease: number; relative?: boolean };
