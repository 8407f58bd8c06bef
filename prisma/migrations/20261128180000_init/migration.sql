-- CreateEnum
CREATE TYPE "UseCase" AS ENUM ('recommendation', 'image', 'nlp', 'tabular', 'generative');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('ingest', 'train', 'evaluate', 'deploy');

-- CreateEnum
CREATE TYPE "StageStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled');

-- CreateEnum
CREATE TYPE "RunTrigger" AS ENUM ('manual', 'api', 'schedule', 'retry');

-- CreateEnum
CREATE TYPE "GateVerdict" AS ENUM ('passed', 'failed', 'overridden');

-- CreateEnum
CREATE TYPE "DeploymentStrategy" AS ENUM ('direct', 'ab_test');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('pending', 'active', 'rolling_out', 'rolled_back', 'retired', 'failed');

-- CreateEnum
CREATE TYPE "AbTestStatus" AS ENUM ('draft', 'running', 'stopped', 'promoted', 'rolled_back');

-- CreateEnum
CREATE TYPE "AbEventType" AS ENUM ('exposure', 'outcome');

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('admin', 'editor', 'viewer');

-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "useCase" "UseCase" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "uri" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "schema" JSONB NOT NULL,
    "profile" JSONB,
    "split" JSONB,
    "privacy" JSONB,
    "drift" JSONB,
    "source" JSONB NOT NULL,
    "parentId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "useCase" "UseCase" NOT NULL,
    "modelFamily" TEXT NOT NULL,
    "hyperparameters" JSONB NOT NULL,
    "datasetId" TEXT NOT NULL,
    "source" JSONB,
    "gate" JSONB NOT NULL,
    "rolloutPolicy" JSONB NOT NULL,
    "cacheEnabled" BOOLEAN NOT NULL DEFAULT true,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Schedule" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "skippedTicks" INTEGER NOT NULL DEFAULT 0,
    "lastTickAt" TIMESTAMPTZ(3),
    "lastRunId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "scheduleId" TEXT,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "stage" "Stage",
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "trigger" "RunTrigger" NOT NULL DEFAULT 'manual',
    "seed" INTEGER NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "idempotencyKey" TEXT,
    "backend" TEXT,
    "backendInfo" JSONB,
    "codeVersion" TEXT,
    "datasetVersionId" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "errorStage" "Stage",
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "queuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StageExecution" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "stage" "Stage" NOT NULL,
    "status" "StageStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cacheKey" TEXT,
    "cacheHit" BOOLEAN NOT NULL DEFAULT false,
    "cachedFromRunId" TEXT,
    "output" JSONB,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "StageExecution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunMetric" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunMetric_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL,
    "modelName" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "runId" TEXT,
    "useCase" "UseCase" NOT NULL,
    "modelFamily" TEXT NOT NULL,
    "artifactUri" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "signature" JSONB NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelAlias" (
    "modelName" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ModelAlias_pkey" PRIMARY KEY ("modelName","alias")
);

-- CreateTable
CREATE TABLE "ModelAliasEvent" (
    "id" BIGSERIAL NOT NULL,
    "modelName" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "fromModelVersionId" TEXT,
    "toModelVersionId" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "actor" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelAliasEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "split" TEXT NOT NULL DEFAULT 'test',
    "runId" TEXT,
    "metrics" JSONB NOT NULL,
    "curves" JSONB NOT NULL DEFAULT '{}',
    "slices" JSONB NOT NULL DEFAULT '[]',
    "verdict" "GateVerdict" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "baselineModelVersionId" TEXT,
    "baselineMetrics" JSONB,
    "overrideReason" TEXT,
    "overriddenBy" TEXT,
    "overriddenAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "runId" TEXT,
    "strategy" "DeploymentStrategy" NOT NULL,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'pending',
    "traffic" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "retiredAt" TIMESTAMPTZ(3),

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AbTest" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "experimentId" TEXT,
    "status" "AbTestStatus" NOT NULL DEFAULT 'draft',
    "salt" TEXT NOT NULL,
    "primaryMetric" TEXT NOT NULL DEFAULT 'conversion',
    "policy" JSONB NOT NULL,
    "currentStep" INTEGER NOT NULL DEFAULT 0,
    "decision" TEXT,
    "decisionReasons" JSONB NOT NULL DEFAULT '[]',
    "analysis" JSONB,
    "startedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AbTest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AbVariant" (
    "id" TEXT NOT NULL,
    "abTestId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "isControl" BOOLEAN NOT NULL DEFAULT false,
    "modelVersionId" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "metrics" JSONB,

    CONSTRAINT "AbVariant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AbEvent" (
    "id" BIGSERIAL NOT NULL,
    "abTestId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "type" "AbEventType" NOT NULL,
    "unitId" TEXT NOT NULL,
    "metric" TEXT NOT NULL DEFAULT '',
    "value" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "idempotencyKey" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AbEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "apiKeyId" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "requestId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_name_key" ON "Dataset"("name");

-- CreateIndex
CREATE INDEX "DatasetVersion_sha256_idx" ON "DatasetVersion"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_datasetId_sha256_key" ON "DatasetVersion"("datasetId", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_datasetId_version_key" ON "DatasetVersion"("datasetId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Experiment_name_key" ON "Experiment"("name");

-- CreateIndex
CREATE INDEX "Experiment_useCase_idx" ON "Experiment"("useCase");

-- CreateIndex
CREATE INDEX "Schedule_experimentId_idx" ON "Schedule"("experimentId");

-- CreateIndex
CREATE UNIQUE INDEX "Run_idempotencyKey_key" ON "Run"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Run_experimentId_queuedAt_idx" ON "Run"("experimentId", "queuedAt");

-- CreateIndex
CREATE INDEX "Run_status_idx" ON "Run"("status");

-- CreateIndex
CREATE INDEX "Run_scheduleId_status_idx" ON "Run"("scheduleId", "status");

-- CreateIndex
CREATE INDEX "StageExecution_stage_cacheKey_status_idx" ON "StageExecution"("stage", "cacheKey", "status");

-- CreateIndex
CREATE UNIQUE INDEX "StageExecution_runId_stage_key" ON "StageExecution"("runId", "stage");

-- CreateIndex
CREATE UNIQUE INDEX "RunMetric_runId_name_step_key" ON "RunMetric"("runId", "name", "step");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_runId_key" ON "ModelVersion"("runId");

-- CreateIndex
CREATE INDEX "ModelVersion_modelName_createdAt_idx" ON "ModelVersion"("modelName", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_modelName_version_key" ON "ModelVersion"("modelName", "version");

-- CreateIndex
CREATE INDEX "ModelAlias_modelVersionId_idx" ON "ModelAlias"("modelVersionId");

-- CreateIndex
CREATE INDEX "ModelAliasEvent_modelName_alias_createdAt_idx" ON "ModelAliasEvent"("modelName", "alias", "createdAt");

-- CreateIndex
CREATE INDEX "Evaluation_datasetVersionId_idx" ON "Evaluation"("datasetVersionId");

-- CreateIndex
CREATE INDEX "Evaluation_runId_idx" ON "Evaluation"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "Evaluation_modelVersionId_datasetVersionId_split_key" ON "Evaluation"("modelVersionId", "datasetVersionId", "split");

-- CreateIndex
CREATE INDEX "Deployment_endpoint_status_idx" ON "Deployment"("endpoint", "status");

-- CreateIndex
CREATE INDEX "Deployment_modelVersionId_idx" ON "Deployment"("modelVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "AbTest_name_key" ON "AbTest"("name");

-- CreateIndex
CREATE INDEX "AbTest_endpoint_status_idx" ON "AbTest"("endpoint", "status");

-- CreateIndex
CREATE UNIQUE INDEX "AbVariant_abTestId_name_key" ON "AbVariant"("abTestId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "AbEvent_idempotencyKey_key" ON "AbEvent"("idempotencyKey");

-- CreateIndex
CREATE INDEX "AbEvent_abTestId_variantId_type_metric_idx" ON "AbEvent"("abTestId", "variantId", "type", "metric");

-- CreateIndex
CREATE INDEX "AbEvent_abTestId_unitId_idx" ON "AbEvent"("abTestId", "unitId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_createdAt_idx" ON "AuditLog"("entity", "entityId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_apiKeyId_idx" ON "AuditLog"("apiKeyId");

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "DatasetVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StageExecution" ADD CONSTRAINT "StageExecution_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunMetric" ADD CONSTRAINT "RunMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelAlias" ADD CONSTRAINT "ModelAlias_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_baselineModelVersionId_fkey" FOREIGN KEY ("baselineModelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbTest" ADD CONSTRAINT "AbTest_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbVariant" ADD CONSTRAINT "AbVariant_abTestId_fkey" FOREIGN KEY ("abTestId") REFERENCES "AbTest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbVariant" ADD CONSTRAINT "AbVariant_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbEvent" ADD CONSTRAINT "AbEvent_abTestId_fkey" FOREIGN KEY ("abTestId") REFERENCES "AbTest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbEvent" ADD CONSTRAINT "AbEvent_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "AbVariant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;
