-- Privacy by perturbation with a budget: a dataset's total ε, and the ledger of what spent it
-- (each perturbed version, each statistic released from raw data).
ALTER TABLE "Dataset" ADD COLUMN "privacyEpsilonBudget" DOUBLE PRECISION;

CREATE TABLE "PrivacyLedgerEntry" (
    "id" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "datasetVersionId" TEXT,
    "kind" TEXT NOT NULL,
    "epsilon" DOUBLE PRECISION NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PrivacyLedgerEntry_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "PrivacyLedgerEntry_datasetVersionId_key" ON "PrivacyLedgerEntry"("datasetVersionId");

CREATE INDEX "PrivacyLedgerEntry_datasetId_createdAt_idx" ON "PrivacyLedgerEntry"("datasetId", "createdAt");

ALTER TABLE "PrivacyLedgerEntry" ADD CONSTRAINT "PrivacyLedgerEntry_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "PrivacyLedgerEntry" ADD CONSTRAINT "PrivacyLedgerEntry_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
