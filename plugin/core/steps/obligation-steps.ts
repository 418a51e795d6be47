import type { Rescue, RescuePatch, StepOutcome } from '../rescue.js';
import { approvedOutcome, endedPatch, readOrder, stopOrder } from './provider-order.js';
import { nextPoll, pastDeadline, reasonToStop, releaseHoldIfOpen, type StepContext } from './step-context.js';

/**
 * `needs_attention`: the rescue's own step keeps failing and waits for a person, but what it owes
 * the outside world does not wait. An approval is acted on; an order on an invoice settled elsewhere
 * is stopped; the hold is given back at expiry, or at once when no order can still be working it.
 */
export async function honourObligations(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const patch: RescuePatch = {};
  let orderOpen = rescue.orderOpen;
  let holdActive = rescue.holdActive;

  if (orderOpen && rescue.providerOrderId) {
    const order = await readOrder(rescue, ctx);
    if (order.status === 'approved')
      return approvedOutcome(order, ctx, 'FlexCharge approved while the rescue was parked');
    if (order.status !== 'pending') {
      Object.assign(patch, endedPatch(order));
      orderOpen = false;
    }
  }
  const invoice = await ctx.engine.invoiceStatus(rescue.invoiceId);
  const stop = reasonToStop(invoice);
  if (orderOpen && rescue.providerOrderId && (stop || pastDeadline(rescue, ctx))) {
    const order = await stopOrder(rescue, ctx, stop ? 'cancel' : 'expire');
    if (order.status === 'approved')
      return approvedOutcome(order, ctx, 'FlexCharge collected while the rescue was parked');
    Object.assign(patch, endedPatch(order));
    orderOpen = false;
  }
  // Without an order that could still be working it, the hold only keeps the merchant's dunning away.
  if (holdActive && (!orderOpen || stop || pastDeadline(rescue, ctx))) {
    await releaseHoldIfOpen(rescue, ctx, 'rescue needs attention');
    holdActive = false;
  }
  const live = orderOpen || holdActive;
  return {
    to: null,
    note: live ? 'parked; obligations still live' : 'parked; no obligation left',
    patch: { ...patch, orderOpen, holdActive },
    nextActionAt: live ? nextPoll(rescue, ctx) : null,
  };
}

/**
 * `released`, `cancelled`, `declined`, woken by FlexCharge: an approval that arrives after the
 * rescue ended is still money collected, so it is written back or refunded like any other.
 */
export async function checkLateApproval(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const order = await readOrder(rescue, ctx);
  if (order.status === 'approved')
    return approvedOutcome(order, ctx, 'FlexCharge approved after the rescue ended');
  return { to: null, note: `order is ${order.status}`, nextActionAt: null };
}
