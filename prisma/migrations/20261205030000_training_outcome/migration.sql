-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "trainingOutcome" JSONB;
