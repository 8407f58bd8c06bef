/**
 * Which model version answers a unit on an endpoint: while an A/B test runs there, the model
 * version of the unit's variant (deterministic assignment, see assignment.ts); otherwise the
 * endpoint's active deployment, for everyone. The admin API's route lookup and the serving
 * gateway both decide with this one function.
 */
import { variantOfUnit, type AssignableVariant } from './assignment.ts';

export interface EndpointServing<V extends AssignableVariant & { id: string; modelVersionId: string }> {
  abTest: { id: string; name: string; currentStep: number; salt: string; primaryMetric: string; variants: readonly V[] } | null;
  deployment: { id: string; modelVersionId: string } | null;
}

export interface UnitRoute {
  modelVersionId: string;
  abTest: { id: string; name: string; step: number; primaryMetric: string; variantId: string; variant: string } | null;
  deploymentId: string | null;
}

/** The route of `unitId`, or null when nothing serves the endpoint. */
export function routeUnit<V extends AssignableVariant & { id: string; modelVersionId: string }>(serving: EndpointServing<V>, unitId: string): UnitRoute | null {
  const { abTest, deployment } = serving;
  const variant = abTest ? variantOfUnit(abTest, unitId) : null;
  if (abTest && variant) {
    return {
      modelVersionId: variant.modelVersionId,
      abTest: { id: abTest.id, name: abTest.name, step: abTest.currentStep, primaryMetric: abTest.primaryMetric, variantId: variant.id, variant: variant.name },
      deploymentId: null,
    };
  }
  return deployment ? { modelVersionId: deployment.modelVersionId, abTest: null, deploymentId: deployment.id } : null;
}
