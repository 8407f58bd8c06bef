-- Every claim and finish of a stage changes its "status"; while "status" was a column of the
-- stage cache index, each of those updates wrote a new entry into all three indexes of the
-- table. Without it, an update that leaves "cacheKey" alone can be HOT (heap-only: no index
-- entries). The cache lookup filters the few rows of a (stage, cacheKey) by status instead.
DROP INDEX "StageExecution_stage_cacheKey_status_idx";
CREATE INDEX "StageExecution_stage_cacheKey_idx" ON "StageExecution"("stage", "cacheKey");

-- A HOT update needs room for the new row version on the same page: leave a fifth of each page
-- free for the updates a run and its stage rows get while the pipeline runs.
ALTER TABLE "Run" SET (fillfactor = 80);
ALTER TABLE "StageExecution" SET (fillfactor = 80);
