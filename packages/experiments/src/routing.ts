/**
 * Which model version answers a unit on an endpoint: while an A/B test runs there and covers
 * the unit, the model version of the unit's variant (deterministic assignment, see
 * assignment.ts); otherwise the endpoint's active deployment. The admin API's route lookup and
 * the serving gateway both decide with this one function. The route carries the step it was
 * decided at, and every event recorded for it carries that step (the analysis strata), so a
 * gateway that routes on a step the monitor has just left records consistent events: its units
 * are in the same arms (coverage only grows), and they count in the step they were assigned at.
 */
import { variantOfUnit, type AssignableTest, type AssignableVariant } from './assignment.ts';

export interface EndpointServing<V extends AssignableVariant & { id: string; modelVersionId: string }> {
  abTest:
    (AssignableTest<V> & { id: string; name: string; currentStep: number; primaryMetric: string }) | null;
  deployment: { id: string; modelVersionId: string } | null;
}

export interface UnitRoute {
  modelVersionId: string;
  abTest: {
    id: string;
    name: string;
    step: number;
    primaryMetric: string;
    variantId: string;
    variant: string;
  } | null;
  deploymentId: string | null;
}

/** The route of `unitId`, or null when nothing serves the endpoint. */
export function routeUnit<V extends AssignableVariant & { id: string; modelVersionId: string }>(
  serving: EndpointServing<V>,
  unitId: string,
): UnitRoute | null {
  const { abTest, deployment } = serving;
  const variant = abTest ? variantOfUnit(abTest, unitId) : null;
  if (abTest && variant) {
    return {
      modelVersionId: variant.modelVersionId,
      abTest: {
        id: abTest.id,
        name: abTest.name,
        step: abTest.currentStep,
        primaryMetric: abTest.primaryMetric,
        variantId: variant.id,
        variant: variant.name,
      },
      deploymentId: null,
    };
  }
  return deployment
    ? { modelVersionId: deployment.modelVersionId, abTest: null, deploymentId: deployment.id }
    : null;
}
