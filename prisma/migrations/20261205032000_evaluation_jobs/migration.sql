-- AlterTable
ALTER TABLE "ScoringJob" ADD COLUMN     "evaluationId" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'scores',
ADD COLUMN     "split" TEXT;
