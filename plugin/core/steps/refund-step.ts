import { ConflictError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { readOrder } from './provider-order.js';
import { releaseHoldIfOpen, type StepContext } from './step-context.js';

/** `refunding`: FlexCharge collected for an invoice settled elsewhere; return its payment and flag it. */
export async function refundProviderPayment(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new ConflictError('refunding rescue lacks its amount or order id');
  // Replay-safe: a refund whose answer was lost must not be sent a second time.
  const order = await readOrder(rescue, ctx);
  if (order.status !== 'refunded') {
    const result = await ctx.provider.refund(
      rescue.providerOrderId,
      rescue.collected ?? rescue.amount,
      'invoice was paid elsewhere',
    );
    if (!result.refunded) {
      const again = await readOrder(rescue, ctx);
      if (again.status !== 'refunded')
        throw new ConflictError(`FlexCharge refused the refund: ${result.message ?? 'no reason given'}`);
    }
  }
  if (rescue.holdActive) await releaseHoldIfOpen(rescue, ctx, 'rescue refunded');
  return {
    to: 'conflict',
    note: 'FlexCharge collected for an invoice settled elsewhere; refunded, flagged for finance',
    patch: { providerStatus: 'RETURNED', holdActive: false },
    nextActionAt: null,
  };
}
