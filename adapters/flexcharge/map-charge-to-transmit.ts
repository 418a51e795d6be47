import type { ChargeReport } from '../../plugin/core/billing-engine.js';
import type { OrderSource } from '../../plugin/core/merchant-settings.js';
import type { TransmitContext } from '../../plugin/core/rescue-provider.js';
import { billingInformationOf, isCompleteBilling } from './billing-information.js';
import { transactionResultCodes } from './result-codes.js';
import { descriptorOf, siteRootFields } from './site-fields.js';
import { intervalInWords } from './subscription-interval.js';
import type { TransmitRequest } from './wire/requests.js';

/** A /transmit body with the order channel always set. */
export type ChargeTransmitRequest = TransmitRequest & { readonly orderSource: OrderSource };

/**
 * A processed charge, approved or declined, as a /transmit copy (contract §5): no PAN, no token.
 * `isMIT` follows the flow the core chose for it (`mit`, else a customer-initiated flow);
 * `isRecurring` and the subscription say whether the charge paid a subscription. `orderSource` comes
 * from the charge's context, and at most one kind of site reference is sent.
 */
export function mapChargeToTransmit(
  charge: ChargeReport,
  context: Pick<TransmitContext, 'merchantOrderId' | 'flow' | 'site'> & { mid: string | undefined },
): ChargeTransmitRequest {
  const card = charge.card;
  const cadence = charge.subscription
    ? intervalInWords(charge.subscription.interval, charge.subscription.intervalCount)
    : null;
  const billing = billingInformationOf(card, { name: null, phone: charge.customer.phone, address: null });
  return {
    isDeclined: !charge.succeeded,
    orderId: context.merchantOrderId,
    orderSource: charge.context.orderSource,
    isMIT: context.flow === 'mit',
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
    ...siteRootFields(context.site),
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
      ...descriptorOf(context.site),
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
