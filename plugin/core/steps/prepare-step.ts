import { checkEligibility } from '../eligibility.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { cardTokenFor, loadRenewal, rescueExpiry, type StepContext, siteLabel } from './step-context.js';

/**
 * `received`: re-read the failure from the engine, decide whether to hand it over and, if so, hold
 * the engine's retries at once: the hold can be undone, the hand-over cannot, and Stripe's first
 * automatic retry must not land before the hold.
 */
export async function prepareRescue(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const renewal = await loadRenewal(rescue, ctx);
  const token = await cardTokenFor(renewal, ctx);
  const verdict = checkEligibility(renewal, ctx.policy, {
    now: ctx.now,
    firstSeenAt: rescue.createdAt,
    acceptsAmount: (a, c) => ctx.provider.acceptsAmount(a, c),
    hasCardToken: token !== null,
  });
  const patch = {
    subscriptionId: renewal.subscription.id,
    customerId: renewal.customer.id,
    amount: renewal.amountDue,
    failedChargeId: renewal.failedPayment.chargeId,
    declineCode: renewal.failedPayment.declineCode ?? renewal.failedPayment.code,
    site: siteLabel(ctx, renewal.statementDescriptor),
  };
  if (!verdict.eligible) {
    // A hold from an attempt that died before recording it must not outlive the rescue.
    if (rescue.holdActive) await releaseLeftoverHold(rescue, ctx);
    return {
      to: 'ineligible',
      note: verdict.detail,
      patch: { ...patch, ineligibleReason: verdict.reason, holdActive: false },
      nextActionAt: null,
      details: { reason: verdict.reason },
    };
  }

  const expiresAt = rescue.expiresAt ?? rescueExpiry(renewal.failedAt, ctx.now, ctx.policy.expiryDays);
  // Recorded first: should the process die inside the call, the rescue still knows to give it back.
  await ctx.checkpoint({ holdActive: true, expiresAt });
  const { previousAutoAdvance } = await ctx.engine.holdRetries(rescue.invoiceId, {
    rescueId: rescue.id,
    until: expiresAt,
  });
  const held = { ...patch, expiresAt, holdAppliedAt: ctx.now, previousAutoAdvance, holdActive: true };
  // A payment or a retry may have slipped in between the read and the hold.
  const after = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (after.status !== 'open') {
    return {
      to: 'cancelling',
      note: `invoice became ${after.status} while holding`,
      patch: held,
      nextActionAt: ctx.now,
    };
  }
  return {
    to: 'evaluating',
    note: 'eligible for rescue; engine retries held',
    patch: held,
    nextActionAt: ctx.now,
  };
}

async function releaseLeftoverHold(rescue: Rescue, ctx: StepContext): Promise<void> {
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status !== 'open') return;
  await ctx.engine.releaseHold(rescue.invoiceId, {
    rescueId: rescue.id,
    restoreAutoAdvance: rescue.previousAutoAdvance ?? true,
    reason: 'not eligible for rescue',
  });
}
