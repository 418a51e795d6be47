import type { ChargeReport } from '../../plugin/core/billing-engine.js';
import type { SiteReference } from '../../plugin/core/rescue-provider.js';
import { billingInformationOf, isCompleteBilling } from './billing-information.js';
import { transactionResultCodes } from './result-codes.js';
import { intervalInWords } from './subscription-interval.js';
import type { TransmitRequest } from './wire/requests.js';

/** A processed charge, approved or declined, as a /transmit copy (contract §5): no PAN, no token. */
export function mapChargeToTransmit(
  charge: ChargeReport,
  context: { merchantOrderId: string; site: SiteReference; mid: string | undefined },
): TransmitRequest {
  const descriptor = (charge.statementDescriptor ?? context.site.descriptor)?.slice(0, 22);
  const card = charge.card;
  const cadence = charge.subscription
    ? intervalInWords(charge.subscription.interval, charge.subscription.intervalCount)
    : null;
  const billing = billingInformationOf(card, { name: null, phone: charge.customer.phone, address: null });
  return {
    isDeclined: !charge.succeeded,
    orderId: context.merchantOrderId,
    isMIT: charge.offSession,
    isRecurring: charge.subscription !== null,
    ...(charge.subscription && cadence
      ? {
          subscription: {
            subscriptionId: charge.subscription.id,
            interval: cadence.interval,
            price: charge.subscription.price.amount,
            currency: charge.subscription.price.currency,
          },
        }
      : {}),
    ...(cadence?.intervalCount
      ? { additionalFields: [{ key: 'subscriptionIntervalCount', value: String(cadence.intervalCount) }] }
      : {}),
    ...(context.mid ? { mid: context.mid } : {}),
    ...(context.site.siteId ? { siteId: context.site.siteId } : {}),
    ...(context.site.siteUrl ? { siteUrl: context.site.siteUrl } : {}),
    transaction: {
      id: charge.chargeId,
      timestampUtc: charge.createdAt.toISOString(),
      timezoneUtcOffset: 0,
      amount: charge.amount.amount,
      currency: charge.amount.currency,
      ...transactionResultCodes(charge),
      responseStatus: charge.succeeded ? 'APPROVED' : 'DECLINED',
      ...(charge.declineCode ? { responseSubStatus: charge.declineCode } : {}),
      processorName: 'Stripe',
      cardNotPresent: true,
      ...(descriptor ? { dynamicDescriptor: descriptor } : {}),
    },
    payer: {
      ...(charge.customer.id ? { id: charge.customer.id } : {}),
      email: charge.customer.email ?? 'NA',
      ...(charge.customer.phone ? { phone: charge.customer.phone } : {}),
    },
    ...(isCompleteBilling(billing) ? { billingInformation: billing } : {}),
    ...(card
      ? {
          paymentMethod: {
            ...(card.holderName ? { holderName: card.holderName } : {}),
            ...(card.funding ? { cardType: card.funding.toUpperCase() } : {}),
            ...(card.brand ? { cardBrand: card.brand.toUpperCase() } : {}),
            ...(card.country ? { cardCountry: card.country.toUpperCase() } : {}),
            ...(card.expMonth ? { expirationMonth: card.expMonth } : {}),
            ...(card.expYear ? { expirationYear: card.expYear } : {}),
            ...(card.last4 ? { cardLast4Digits: card.last4 } : {}),
          },
        }
      : {}),
  };
}
