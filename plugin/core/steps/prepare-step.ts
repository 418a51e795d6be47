import { checkEligibility } from '../eligibility.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { cardTokenFor, loadRenewal, type StepContext, siteLabel } from './step-context.js';

/** `received`: re-read the failure from the engine, record what it is, and decide whether to hand it over. */
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
    return {
      to: 'ineligible',
      note: verdict.detail,
      patch: { ...patch, ineligibleReason: verdict.reason },
      nextActionAt: null,
      details: { reason: verdict.reason },
    };
  }
  return { to: 'evaluating', note: 'eligible for rescue', patch, nextActionAt: ctx.now };
}
