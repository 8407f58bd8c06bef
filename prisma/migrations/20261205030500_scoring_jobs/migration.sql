-- CreateTable
CREATE TABLE "ScoringJob" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "datasetVersionId" TEXT,
    "inputSha256" TEXT,
    "inputFormat" TEXT,
    "inputName" TEXT,
    "format" TEXT NOT NULL,
    "keyColumns" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "rowsTotal" INTEGER,
    "rowsScored" INTEGER NOT NULL DEFAULT 0,
    "outputSha256" TEXT,
    "outputSizeBytes" BIGINT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ScoringJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScoringJob_modelVersionId_createdAt_idx" ON "ScoringJob"("modelVersionId", "createdAt");

-- AddForeignKey
ALTER TABLE "ScoringJob" ADD CONSTRAINT "ScoringJob_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScoringJob" ADD CONSTRAINT "ScoringJob_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
