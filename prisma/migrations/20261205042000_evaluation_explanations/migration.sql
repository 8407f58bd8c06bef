-- Explanations stored with each evaluation: permutation importance of the evaluated model.
ALTER TABLE "Evaluation" ADD COLUMN "explanations" JSONB;
