import type { InvoiceSnapshot } from '../billing-engine.js';
import { isCustomerInitiated } from '../flow-choice.js';
import type { Rescue, RescuePatch, StepOutcome } from '../rescue.js';
import { approvedOutcome, endedPatch, stopOrder } from './provider-order.js';
import { releaseHoldIfOpen, type StepContext } from './step-context.js';

/**
 * `releasing`: not rescued; give the invoice back to the engine's dunning. The order is read (and
 * stopped) first, so an approval that raced the expiry is written back rather than released.
 */
export async function releaseToDunning(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  let ended: RescuePatch = {};
  if (rescue.orderOpen) {
    const order = await stopOrder(rescue, ctx, 'expire');
    if (order.status === 'approved')
      return approvedOutcome(order, ctx, 'FlexCharge collected before the release');
    ended = endedPatch(order);
  }
  const before = await releaseHoldIfOpen(rescue, ctx, 'not rescued');
  const done = { ...ended, holdActive: false, orderOpen: false };
  if (before.status !== 'open') {
    return {
      to: rescue.releaseAs,
      note: `invoice is ${before.status}; nothing to give back`,
      patch: done,
      nextActionAt: null,
    };
  }
  // A CIT was never held: the engine's own schedule was never touched, so nothing resumes.
  if (isCustomerInitiated(rescue.flow))
    return { to: rescue.releaseAs, note: 'not rescued; nothing was held', patch: done, nextActionAt: null };
  const fallback = await resumeDunning(rescue, ctx);
  return {
    to: rescue.releaseAs,
    note: `hold released: ${fallback.note}`,
    patch: { ...done, releaseFallback: fallback.applied },
    nextActionAt: null,
  };
}

/**
 * What the engine does after a long hold is not documented anywhere: it may schedule its next
 * attempt, none, or end the invoice. Read it back; when nothing is scheduled on a still open
 * invoice, apply the merchant's fallback so the invoice is never left to sit.
 */
async function resumeDunning(
  rescue: Rescue,
  ctx: StepContext,
): Promise<{ applied: string | null; note: string }> {
  const after: InvoiceSnapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (after.status !== 'open')
    return { applied: null, note: `the engine ended the invoice (${after.status})` };
  if (after.nextPaymentAttempt) return { applied: null, note: "the merchant's dunning resumes" };
  switch (ctx.policy.releaseFallback) {
    case 'retry_once': {
      const result = await ctx.engine.retryPaymentOnce(rescue.invoiceId, { rescueId: rescue.id });
      return {
        applied: `retry_once:${result}`,
        note: `no attempt was scheduled; one payment attempt ${result}`,
      };
    }
    case 'mark_uncollectible':
      await ctx.engine.markUncollectible(rescue.invoiceId, { rescueId: rescue.id });
      return {
        applied: 'mark_uncollectible',
        note: 'no attempt was scheduled; invoice marked uncollectible',
      };
    case 'none':
      return { applied: 'none', note: 'no attempt was scheduled; left open as configured' };
  }
}
