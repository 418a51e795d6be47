import type { ChargeReport } from '../../plugin/core/billing-engine.js';
import type { SiteReference } from '../../plugin/core/rescue-provider.js';
import { intervalName } from './map-renewal-to-evaluate.js';
import type { TransmitRequest } from './wire/requests.js';

/** A processed charge, approved or declined, as a /transmit copy (contract §5): no PAN, no token. */
export function mapChargeToTransmit(
  charge: ChargeReport,
  context: { merchantOrderId: string; site: SiteReference; mid: string | undefined },
): TransmitRequest {
  const descriptor = (charge.statementDescriptor ?? context.site.descriptor)?.slice(0, 22);
  const card = charge.card;
  return {
    isDeclined: !charge.succeeded,
    orderId: context.merchantOrderId,
    isMIT: charge.offSession,
    isRecurring: charge.subscription !== null,
    ...(charge.subscription
      ? {
          subscription: {
            subscriptionId: charge.subscription.id,
            interval: intervalName(charge.subscription.interval, charge.subscription.intervalCount),
            price: charge.subscription.price.amount,
            currency: charge.subscription.price.currency,
          },
        }
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
      ...(charge.responseCode ? { responseCode: charge.responseCode } : {}),
      responseStatus: charge.succeeded ? 'APPROVED' : 'DECLINED',
      ...(charge.declineCode ? { responseSubStatus: charge.declineCode } : {}),
      responseCodeSource: 'stripe',
      processorName: 'Stripe',
      cardNotPresent: true,
      ...(descriptor ? { dynamicDescriptor: descriptor } : {}),
    },
    payer: {
      ...(charge.customer.id ? { id: charge.customer.id } : {}),
      email: charge.customer.email ?? 'NA',
      ...(charge.customer.phone ? { phone: charge.customer.phone } : {}),
    },
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
