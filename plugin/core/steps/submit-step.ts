import { DAY_MS } from '../clock.js';
import { ProviderError } from '../errors.js';
import type { Rescue, StepOutcome } from '../rescue.js';
import { cardTokenFor, later, loadRenewal, type StepContext } from './step-context.js';

/** `evaluating`: hand the renewal to FlexCharge (/evaluate) and follow its answer. */
export async function submitToProvider(rescue: Rescue, ctx: StepContext): Promise<StepOutcome> {
  const renewal = await loadRenewal(rescue, ctx);
  if (renewal.invoiceStatus !== 'open') {
    return {
      to: 'cancelled',
      note: `invoice became ${renewal.invoiceStatus} before evaluate`,
      nextActionAt: null,
    };
  }
  const token = await cardTokenFor(renewal, ctx);
  if (!token)
    return {
      to: 'ineligible',
      note: 'card token disappeared',
      patch: { ineligibleReason: 'no_card_token' },
      nextActionAt: null,
    };

  // The expiry is fixed at the first attempt so a retried evaluate sends the same body.
  const expiresAt = rescue.expiresAt ?? later(rescue.createdAt, ctx.policy.expiryDays * DAY_MS);
  const decision = await ctx.provider.submitRenewal({
    rescueId: rescue.id,
    merchantOrderId: rescue.invoiceId,
    renewal,
    cardToken: token,
    expiresAt,
    site: ctx.policy.site,
  });
  switch (decision.status) {
    case 'submitted':
    case 'unknown':
      if (!decision.orderId)
        throw new ProviderError(
          'flexcharge',
          `FlexCharge answered ${decision.providerStatus} without an order id`,
          { retryable: true },
        );
      return {
        to: 'holding',
        note: `FlexCharge is working the renewal (${decision.providerStatus})`,
        patch: { providerOrderId: decision.orderId, providerStatus: decision.providerStatus, expiresAt },
        nextActionAt: ctx.now,
      };
    case 'approved':
      return {
        to: 'approved',
        note: 'FlexCharge approved at once',
        patch: {
          providerOrderId: decision.orderId,
          providerStatus: 'APPROVED',
          confirmationId: decision.confirmationId,
          expiresAt,
          outcomeAt: ctx.now,
        },
        nextActionAt: ctx.now,
      };
    case 'declined':
      return {
        to: 'declined',
        note: `FlexCharge declined the rescue (${decision.providerStatus})`,
        patch: { providerOrderId: decision.orderId, providerStatus: decision.providerStatus, expiresAt },
        nextActionAt: null,
      };
  }
}
