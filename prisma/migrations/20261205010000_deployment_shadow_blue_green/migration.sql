-- Rollout strategies beside direct and A/B: shadow (mirrored traffic, compared with production's
-- answers; the comparison's running sums are kept on the deployment) and blue-green (warmed
-- beside the live deployment, then switched at once; warmedAt says a gateway has warmed it).
-- New enum values are only added here, never used in this transaction (Postgres forbids that).
ALTER TYPE "DeploymentStrategy" ADD VALUE 'shadow';
ALTER TYPE "DeploymentStrategy" ADD VALUE 'blue_green';

ALTER TABLE "Deployment"
  ADD COLUMN "warmedAt" TIMESTAMPTZ(3),
  ADD COLUMN "shadowRequests" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "shadowErrors" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "shadowAgreements" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "shadowScoreDeltaSum" DOUBLE PRECISION NOT NULL DEFAULT 0,
  ADD COLUMN "shadowAbsScoreDeltaSum" DOUBLE PRECISION NOT NULL DEFAULT 0,
  ADD COLUMN "shadowLatencyMsSum" DOUBLE PRECISION NOT NULL DEFAULT 0,
  ADD COLUMN "primaryLatencyMsSum" DOUBLE PRECISION NOT NULL DEFAULT 0;
