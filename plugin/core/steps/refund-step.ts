import { ConflictError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import type { StepContext } from './step-context.js';

/** `refunding`: FlexCharge collected for an invoice paid elsewhere; return its payment and flag it. */
export async function refundProviderPayment(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  if (!rescue.amount || !rescue.providerOrderId)
    throw new ConflictError('refunding rescue lacks its amount or order id');
  const result = await ctx.provider.refund(
    rescue.providerOrderId,
    rescue.amount,
    'invoice was paid elsewhere',
  );
  if (!result.refunded)
    throw new ConflictError(`FlexCharge refused the refund: ${result.message ?? 'no reason given'}`);
  return {
    to: 'conflict',
    note: 'FlexCharge collected after the invoice was paid elsewhere; refunded, flagged for finance',
    patch: { providerStatus: 'RETURNED' },
    nextActionAt: null,
  };
}
