import type { Rescue, StepOutcome } from '../rescue.js';
import { releaseHoldIfOpen, type StepContext } from './step-context.js';

/** `cancelling`: the invoice was settled elsewhere or the subscription ended; stop FlexCharge. */
export async function cancelOrder(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (rescue.providerOrderId) {
    const outcome = await ctx.provider.outcome(rescue.providerOrderId);
    if (outcome.status === 'approved') {
      return {
        to: 'refunding',
        note: 'FlexCharge had already collected: refunding',
        patch: { providerStatus: 'APPROVED', confirmationId: outcome.confirmationId },
        nextActionAt: ctx.now,
      };
    }
    if (outcome.status === 'pending')
      await ctx.provider.cancel(rescue.providerOrderId, `cancel-${rescue.id}`);
  }
  await releaseHoldIfOpen(rescue, ctx, 'rescue cancelled');
  return {
    to: 'cancelled',
    note: 'FlexCharge order cancelled',
    patch: { providerStatus: 'CANCELLED' },
    nextActionAt: null,
  };
}
