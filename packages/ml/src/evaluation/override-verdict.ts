/**
 * Overriding a failed gate: an authorised user (the API checks the permission) ships a model the
 * gate rejected, with a reason that stays on the evaluation and in the audit log.
 */
import { ConflictError, ValidationError } from '@lathe/core';

export type GateVerdict = 'passed' | 'failed' | 'overridden';

export interface VerdictOverride {
  readonly verdict: 'overridden';
  readonly overrideReason: string;
  readonly overriddenBy: string;
  readonly overriddenAt: Date;
  /** The AuditLog row to write with it (action, entity, before and after). */
  readonly audit: {
    readonly action: 'evaluation.override';
    readonly entity: 'Evaluation';
    readonly entityId: string;
    readonly before: { readonly verdict: GateVerdict };
    readonly after: {
      readonly verdict: 'overridden';
      readonly overrideReason: string;
      readonly overriddenBy: string;
    };
  };
}

export function overrideVerdict(
  evaluation: { readonly id: string; readonly verdict: GateVerdict },
  request: { readonly reason: string; readonly actor: string; readonly at?: Date },
): VerdictOverride {
  const reason = request.reason.trim();
  const actor = request.actor.trim();
  if (reason.length === 0)
    throw new ValidationError(
      'an override needs a reason: say why this model may ship despite the failed gate',
      { evaluationId: evaluation.id },
      'override_reason_required',
    );
  if (actor.length === 0)
    throw new ValidationError(
      'an override needs the identity of who overrides',
      { evaluationId: evaluation.id },
      'override_actor_required',
    );
  if (evaluation.verdict !== 'failed') {
    throw new ConflictError(
      'verdict_not_failed',
      `evaluation ${evaluation.id} has verdict "${evaluation.verdict}"; only a failed verdict can be overridden`,
      {
        evaluationId: evaluation.id,
        verdict: evaluation.verdict,
      },
    );
  }
  return {
    verdict: 'overridden',
    overrideReason: reason,
    overriddenBy: actor,
    overriddenAt: request.at ?? new Date(),
    audit: {
      action: 'evaluation.override',
      entity: 'Evaluation',
      entityId: evaluation.id,
      before: { verdict: evaluation.verdict },
      after: { verdict: 'overridden', overrideReason: reason, overriddenBy: actor },
    },
  };
}
