-- AbUnit is state derived from AbEvent inside the intake's own transaction: every test and
-- variant a unit row names was checked by AbEvent's foreign keys one statement earlier, in the
-- same transaction (which also holds the test's row against deletion until it commits). The
-- unit rows' own per-row foreign-key checks tripled the cost of the intake's unit upsert
-- (measured with bench/ab-statistics.ts), so they go; a deleted test takes its unit state
-- (AbUnit and AbUnitMetric, which never had a foreign key) with it through this trigger.
ALTER TABLE "AbUnit" DROP CONSTRAINT "AbUnit_abTestId_fkey";
ALTER TABLE "AbUnit" DROP CONSTRAINT "AbUnit_variantId_fkey";

CREATE FUNCTION "lathe_delete_ab_unit_state"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "AbUnitMetric" WHERE "abTestId" = OLD."id";
  DELETE FROM "AbUnit" WHERE "abTestId" = OLD."id";
  RETURN OLD;
END
$$;

CREATE TRIGGER "AbTest_delete_unit_state" AFTER DELETE ON "AbTest"
  FOR EACH ROW EXECUTE FUNCTION "lathe_delete_ab_unit_state"();
