-- Ending a rollout strategy on purpose (a shadow stopped, a blue-green candidate or standby
-- dropped): when an operator stopped the deployment and why. A deployment retired because
-- another replaced it keeps both null.
ALTER TABLE "Deployment"
  ADD COLUMN "stoppedAt" TIMESTAMPTZ(3),
  ADD COLUMN "stopReason" TEXT;
