import { ConflictError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { readOrder } from './provider-order.js';
import { releaseHoldIfOpen, type StepContext } from './step-context.js';

/** `refunding`: FlexCharge collected for an invoice settled elsewhere; return its payment and flag it. */
export async function refundProviderPayment(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new ConflictError('refunding rescue lacks its amount or order id');
  const amount = rescue.collected ?? rescue.amount;
  // Replay-safe: a refund whose answer was lost must not be sent a second time.
  let reference: string | null = null;
  const order = await readOrder(rescue, ctx);
  if (order.status !== 'refunded') {
    const result = await ctx.provider.refund(rescue.providerOrderId, amount, 'invoice was paid elsewhere');
    reference = result.reference;
    if (!result.refunded) {
      const again = await readOrder(rescue, ctx);
      if (again.status !== 'refunded')
        throw new ConflictError(`FlexCharge refused the refund: ${result.message ?? 'no reason given'}`);
    }
  }
  const refunded = await rememberRefund(rescue, ctx, reference ?? rescue.providerOrderId);
  // The engine's books too: a payment the write-back recorded there gets the refund recorded on it.
  if (rescue.writeBackReference) {
    await ctx.engine.recordRefund(rescue.invoiceId, {
      rescueId: rescue.id,
      writeBackReference: rescue.writeBackReference,
      idempotencyKey: rescue.writeBackKey ?? `writeback-${rescue.id}`,
      amount,
      ...refunded,
    });
  }
  if (rescue.holdActive) await releaseHoldIfOpen(rescue, ctx, 'rescue refunded');
  return {
    to: 'conflict',
    note: 'FlexCharge collected for an invoice settled elsewhere; refunded, flagged for finance',
    patch: { providerStatus: 'RETURNED', holdActive: false, ...refunded },
    nextActionAt: null,
  };
}

/**
 * The refund's reference and time for finance, recorded the first time the refund is known done,
 * so a repeat of this step tells the engine the same refund. FlexCharge's refund answer may carry
 * no id (or be lost): it refunds an order once, so the order id names the refund then.
 */
async function rememberRefund(
  rescue: Rescue,
  ctx: StepContext,
  reference: string,
): Promise<{ refundReference: string; refundedAt: Date }> {
  if (rescue.refundReference && rescue.refundedAt)
    return { refundReference: rescue.refundReference, refundedAt: rescue.refundedAt };
  const refunded = { refundReference: reference, refundedAt: ctx.now };
  await ctx.checkpoint(refunded);
  return refunded;
}
