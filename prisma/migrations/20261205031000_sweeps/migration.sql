-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "sweepId" TEXT;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "space" JSONB NOT NULL,
    "metric" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "promotedRunId" TEXT,
    "promotedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Run_sweepId_idx" ON "Run"("sweepId");

-- CreateIndex
CREATE INDEX "Sweep_experimentId_createdAt_idx" ON "Sweep"("experimentId", "createdAt");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
