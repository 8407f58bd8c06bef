-- A/B decisions on kept sufficient statistics: units with their arm and stratum (the step of
-- their first exposure), per-unit metric totals, per (variant, step, metric) sums kept up to
-- date as events are written, the gateway's request health per arm, every decision with its
-- numbers, and outcomes at an endpoint outside tests (CUPED's pre-exposure covariate).

-- AlterTable
ALTER TABLE "AbTest" ADD COLUMN     "coverage" DOUBLE PRECISION NOT NULL DEFAULT 1,
ADD COLUMN     "covariateLookbackMs" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "hashVersion" INTEGER NOT NULL DEFAULT 2,
ADD COLUMN     "metrics" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "stepStartedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "AbEvent" ADD COLUMN     "step" INTEGER NOT NULL DEFAULT 0;

-- DropIndex: the analysis reads the kept statistics, never aggregates events by variant.
DROP INDEX "AbEvent_abTestId_variantId_type_metric_idx";

-- CreateTable
CREATE TABLE "AbUnit" (
    "abTestId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "variantId" TEXT,
    "step" INTEGER,
    "firstExposedAt" TIMESTAMPTZ(3),
    "covariateSource" TEXT NOT NULL DEFAULT 'lookback',
    "exposedIn" BIGINT,

    CONSTRAINT "AbUnit_pkey" PRIMARY KEY ("abTestId","unitId")
);

-- CreateTable
CREATE TABLE "AbUnitMetric" (
    "abTestId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preValue" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "AbUnitMetric_pkey" PRIMARY KEY ("abTestId","unitId","metric")
);

-- CreateTable
CREATE TABLE "AbStat" (
    "abTestId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "metric" TEXT NOT NULL,
    "units" INTEGER NOT NULL DEFAULT 0,
    "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "sumSquares" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "covariateSum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "covariateSumSquares" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "crossSum" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "AbStat_pkey" PRIMARY KEY ("abTestId","variantId","step","metric")
);

-- CreateTable
CREATE TABLE "AbRequestStat" (
    "abTestId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "slow" INTEGER NOT NULL DEFAULT 0,
    "latencySumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latencyHistogram" INTEGER[] DEFAULT ARRAY[]::INTEGER[],

    CONSTRAINT "AbRequestStat_pkey" PRIMARY KEY ("abTestId","variantId","step")
);

-- CreateTable
CREATE TABLE "AbDecision" (
    "id" BIGSERIAL NOT NULL,
    "abTestId" TEXT NOT NULL,
    "decidedAt" TIMESTAMPTZ(3) NOT NULL,
    "step" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "applied" BOOLEAN NOT NULL,
    "reasons" JSONB NOT NULL,
    "analysis" JSONB NOT NULL,

    CONSTRAINT "AbDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitOutcome" (
    "id" BIGSERIAL NOT NULL,
    "endpoint" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UnitOutcome_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AbDecision_abTestId_decidedAt_idx" ON "AbDecision"("abTestId", "decidedAt");

-- CreateIndex
CREATE UNIQUE INDEX "UnitOutcome_idempotencyKey_key" ON "UnitOutcome"("idempotencyKey");

-- CreateIndex
CREATE INDEX "UnitOutcome_endpoint_unitId_metric_occurredAt_idx" ON "UnitOutcome"("endpoint", "unitId", "metric", "occurredAt");

-- AddForeignKey
ALTER TABLE "AbUnit" ADD CONSTRAINT "AbUnit_abTestId_fkey" FOREIGN KEY ("abTestId") REFERENCES "AbTest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbUnit" ADD CONSTRAINT "AbUnit_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "AbVariant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbStat" ADD CONSTRAINT "AbStat_abTestId_fkey" FOREIGN KEY ("abTestId") REFERENCES "AbTest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbStat" ADD CONSTRAINT "AbStat_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "AbVariant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbRequestStat" ADD CONSTRAINT "AbRequestStat_abTestId_fkey" FOREIGN KEY ("abTestId") REFERENCES "AbTest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbRequestStat" ADD CONSTRAINT "AbRequestStat_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "AbVariant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbDecision" ADD CONSTRAINT "AbDecision_abTestId_fkey" FOREIGN KEY ("abTestId") REFERENCES "AbTest"("id") ON DELETE CASCADE ON UPDATE CASCADE;
