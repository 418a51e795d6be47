import { NotFoundError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { later, nextPoll, type StepContext } from './step-context.js';

/** `held`: look at the invoice, then at FlexCharge's outcome; the safety net when no webhook comes. */
export async function pollOutcome(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.providerOrderId)
    return { to: 'releasing', note: 'no FlexCharge order to wait for', nextActionAt: ctx.now };
  // Webhooks only wake a rescue; what happened is read here, from the engine first.
  const invoice = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (invoice.status !== 'open' || invoice.subscriptionStatus === 'canceled') {
    const why = invoice.status !== 'open' ? `invoice became ${invoice.status}` : 'subscription was cancelled';
    return { to: 'cancelling', note: `${why} while FlexCharge worked it`, nextActionAt: ctx.now };
  }
  const outcome = await ctx.provider.outcome(rescue.providerOrderId);
  switch (outcome.status) {
    case 'approved':
      return {
        to: 'approved',
        note: 'FlexCharge rescued the payment (confirmed by /outcome)',
        patch: { providerStatus: 'APPROVED', confirmationId: outcome.confirmationId, outcomeAt: ctx.now },
        nextActionAt: ctx.now,
      };
    case 'not_rescued':
      return {
        to: 'releasing',
        note: `FlexCharge did not rescue it (${outcome.providerStatus})`,
        patch: { providerStatus: outcome.providerStatus, outcomeAt: ctx.now },
        nextActionAt: ctx.now,
      };
    case 'refunded':
      return {
        to: 'releasing',
        note: 'FlexCharge order was refunded',
        patch: { providerStatus: 'RETURNED' },
        nextActionAt: ctx.now,
      };
    case 'not_found':
      throw new NotFoundError(`FlexCharge does not know order ${rescue.providerOrderId}`);
    case 'pending': {
      const deadline = rescue.expiresAt ? later(rescue.expiresAt, ctx.policy.expiryGraceMs) : null;
      if (deadline && ctx.now >= deadline) {
        // Past expiry with no final word: stop FlexCharge first, so it cannot collect after we release.
        await ctx.provider.cancel(rescue.providerOrderId, `expire-${rescue.id}`);
        return {
          to: 'releasing',
          note: 'expired without a final outcome: FlexCharge order cancelled, releasing the hold',
          patch: { providerStatus: 'CANCELLED', outcomeAt: ctx.now },
          nextActionAt: ctx.now,
        };
      }
      return {
        to: null,
        note: `still ${outcome.providerStatus}`,
        patch: { providerStatus: outcome.providerStatus },
        nextActionAt: nextPoll(rescue, ctx),
      };
    }
  }
}
