import type { Rescue, StepOutcome } from '../rescue.js';
import { approvedOutcome, endedPatch, stopOrder } from './provider-order.js';
import { releaseHoldIfOpen, type StepContext } from './step-context.js';

/**
 * `cancelling`: the invoice was settled another way or the subscription ended; stop FlexCharge and
 * give back the hold. An order that turns out to have collected goes to `approved`, where the
 * write-back records it on a still open invoice or refunds it.
 */
export async function cancelOrder(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  let ended = {};
  if (rescue.orderOpen) {
    const order = await stopOrder(rescue, ctx, 'cancel');
    if (order.status === 'approved')
      return approvedOutcome(order, ctx, 'FlexCharge had already collected when the rescue was cancelled');
    ended = endedPatch(order);
  }
  await releaseHoldIfOpen(rescue, ctx, 'rescue cancelled');
  return {
    to: 'cancelled',
    note: rescue.orderOpen
      ? 'FlexCharge order stopped; hold given back'
      : 'rescue cancelled; hold given back',
    patch: { ...ended, holdActive: false, orderOpen: false },
    nextActionAt: null,
  };
}
