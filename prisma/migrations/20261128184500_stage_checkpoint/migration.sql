-- AlterTable
ALTER TABLE "StageExecution" ADD COLUMN     "checkpoint" JSONB;
