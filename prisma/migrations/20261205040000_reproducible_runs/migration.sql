-- Reproducible runs: the lockfile a run trained with, and the sha256 of a model version's
-- weights alone (the bundle's own sha256 also covers layer names numbered per process).
ALTER TABLE "Run" ADD COLUMN "lockfileSha256" TEXT;

ALTER TABLE "ModelVersion" ADD COLUMN "weightsSha256" TEXT;
