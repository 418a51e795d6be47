import { NotFoundError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { approvedOutcome, endedPatch, readOrder, stopOrder } from './provider-order.js';
import { nextPoll, pastDeadline, reasonToStop, type StepContext } from './step-context.js';

/** `held`: look at the invoice, then at FlexCharge's order; the safety net when no webhook comes. */
export async function pollOutcome(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.providerOrderId)
    return { to: 'releasing', note: 'no FlexCharge order to wait for', nextActionAt: ctx.now };
  // Webhooks only wake a rescue; what happened is read here, from the engine first.
  const invoice = await ctx.engine.invoiceStatus(rescue.invoiceId);
  const stop = reasonToStop(invoice);
  if (stop) return { to: 'cancelling', note: `${stop} while FlexCharge worked it`, nextActionAt: ctx.now };

  const order = await readOrder(rescue, ctx);
  switch (order.status) {
    case 'approved':
      return approvedOutcome(order, ctx, 'FlexCharge rescued the payment');
    case 'not_rescued':
    case 'refunded':
      return {
        to: 'releasing',
        note: `FlexCharge did not rescue it (${order.providerStatus})`,
        patch: { ...endedPatch(order), outcomeAt: ctx.now },
        nextActionAt: ctx.now,
      };
    case 'not_found':
    case 'none':
      throw new NotFoundError(`FlexCharge does not know order ${rescue.providerOrderId}`);
    case 'pending': {
      if (!pastDeadline(rescue, ctx)) {
        return {
          to: null,
          note: `still ${order.providerStatus}`,
          patch: { providerStatus: order.providerStatus },
          nextActionAt: nextPoll(rescue, ctx),
        };
      }
      // Past expiry with no final word: stop FlexCharge first, so it cannot collect after we release,
      // and believe only what the order says afterwards.
      const after = await stopOrder(rescue, ctx, 'expire');
      if (after.status === 'approved')
        return approvedOutcome(after, ctx, 'FlexCharge collected as the rescue expired');
      return {
        to: 'releasing',
        note: 'expired without a rescue: FlexCharge order stopped, releasing the hold',
        patch: { ...endedPatch(after), outcomeAt: ctx.now },
        nextActionAt: ctx.now,
      };
    }
  }
}
