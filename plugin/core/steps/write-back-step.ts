import { ConflictError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import type { StepContext } from './step-context.js';

/** `approved`: record FlexCharge's payment on the invoice, unless someone else paid it first. */
export async function writeBackPayment(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new ConflictError('approved rescue lacks its amount or order id');
  const snapshot = await ctx.engine.invoiceStatus(rescue.invoiceId);
  if (snapshot.status === 'paid' && snapshot.paidByRescueId === rescue.id) {
    return {
      to: 'recovered',
      note: 'invoice already marked paid by this rescue',
      patch: { writtenBackAt: ctx.now },
      nextActionAt: null,
    };
  }
  if (snapshot.status !== 'open') {
    return {
      to: 'refunding',
      note: `FlexCharge collected but the invoice is ${snapshot.status}: refunding`,
      nextActionAt: ctx.now,
    };
  }
  const result = await ctx.engine.recordRecoveredPayment(rescue.invoiceId, {
    rescueId: rescue.id,
    amount: rescue.amount,
    providerOrderId: rescue.providerOrderId,
    confirmationId: rescue.confirmationId,
    recoveredAt: ctx.now,
  });
  if (result === 'paid_elsewhere') {
    return { to: 'refunding', note: 'invoice was paid elsewhere first: refunding', nextActionAt: ctx.now };
  }
  return {
    to: 'recovered',
    note: 'invoice marked paid out of band with the FlexCharge payment',
    patch: { writtenBackAt: ctx.now },
    nextActionAt: null,
  };
}
