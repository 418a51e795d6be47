import { ConflictError } from '../errors.js';
import type { Rescue, RescuePatch, StepOutcome } from '../rescue.js';
import type { StepContext } from './step-context.js';

/**
 * `approved`: FlexCharge collected. Record its payment on the invoice, unless the invoice was
 * settled another way or the subscription ended (then the money goes back), or the amounts disagree
 * (then a person decides: never a silent full "paid").
 */
export async function writeBackPayment(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new ConflictError('approved rescue lacks its amount or order id');
  if (rescue.writtenBackAt)
    return { to: 'recovered', note: 'write-back already recorded', nextActionAt: null };

  const invoice = await ctx.engine.invoiceStatus(rescue.invoiceId);
  // Only a write-back we sent can explain a settled invoice; without one, it was paid elsewhere.
  if (invoice.status !== 'open' && !rescue.writeBackKey) {
    return refund(ctx, `FlexCharge collected but the invoice is ${invoice.status}`);
  }
  if (invoice.status === 'open') {
    if (invoice.subscriptionStatus === 'canceled')
      return refund(ctx, 'FlexCharge collected but the subscription was cancelled');
    const collected = rescue.collected ?? rescue.amount;
    const owed = invoice.amountRemaining;
    if (collected.currency !== owed.currency || collected.amount !== owed.amount) {
      throw new ConflictError(
        `FlexCharge collected ${collected.amount} ${collected.currency} but the invoice owes ${owed.amount} ${owed.currency}`,
      );
    }
  }

  const idempotencyKey = rescue.writeBackKey ?? `writeback-${rescue.id}`;
  // Recorded before the call: after a crash the same key, replayed, tells our payment from anyone's.
  if (!rescue.writeBackKey) await ctx.checkpoint({ writeBackKey: idempotencyKey });
  const { outcome, reference } = await ctx.engine.recordRecoveredPayment(rescue.invoiceId, {
    rescueId: rescue.id,
    idempotencyKey,
    amount: rescue.collected ?? rescue.amount,
    providerOrderId: rescue.providerOrderId,
    confirmationId: rescue.confirmationId,
    recoveredAt: ctx.now,
    // Stable across repeats: a repeated write-back must send what the first one sent.
    initiatedAt: rescue.createdAt,
    collectedAt: rescue.outcomeAt ?? rescue.createdAt,
  });
  // What the engine holds of our write-back, for finance; on a conflict, where the refund is recorded.
  const referencePatch = reference ? { writeBackReference: reference } : {};
  if (outcome === 'paid_elsewhere')
    return refund(ctx, 'the invoice was paid elsewhere first', referencePatch);
  return {
    to: 'recovered',
    note:
      outcome === 'already_recorded'
        ? 'invoice already marked paid by this rescue'
        : 'invoice marked paid with the FlexCharge payment',
    patch: { writtenBackAt: ctx.now, holdActive: false, ...referencePatch },
    nextActionAt: null,
  };
}

function refund(ctx: StepContext, why: string, patch?: RescuePatch): StepOutcome {
  return { to: 'refunding', note: `${why}: refunding`, nextActionAt: ctx.now, ...(patch ? { patch } : {}) };
}
