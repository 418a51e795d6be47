import { createHash } from 'node:crypto';
import type { CardDetails, RenewalFailure } from '../../plugin/core/billing-engine.js';
import type { OrderSource } from '../../plugin/core/merchant-settings.js';
import type { RenewalSubmission, SiteReference } from '../../plugin/core/rescue-provider.js';
import { billingInformationOf } from './billing-information.js';
import { deterministicGuid } from './deterministic-guid.js';
import { type TransactionResultCodes, transactionResultCodes } from './result-codes.js';
import { descriptorOf, siteRootFields } from './site-fields.js';
import { intervalInWords } from './subscription-interval.js';
import { threeDSecureOf } from './three-d-secure.js';
import type { BillingInformation } from './wire/objects.js';
import type { EvaluateRequest } from './wire/requests.js';

/**
 * The evaluate body for a declined invoice, with what the contract requires of it made required by
 * type: the merchant, the order channel, the billing information and the transaction's result codes.
 */
export type RenewalEvaluateRequest = EvaluateRequest & {
  readonly mid: string;
  readonly orderSource: OrderSource;
  readonly billingInformation: BillingInformation;
  readonly transaction: EvaluateRequest['transaction'] & TransactionResultCodes;
};

/** A managed MIT: also the subscription and the end of FlexCharge's retry window (contract §11). */
export type ManagedMitEvaluateRequest = RenewalEvaluateRequest & {
  readonly isMIT: true;
  readonly expiryDateUtc: string;
  readonly subscription: NonNullable<EvaluateRequest['subscription']>;
};

/**
 * The /evaluate body for a declined invoice (contract §6.12): everything FlexCharge can use, nothing
 * we would have to invent. Pure, so the same rescue maps to the same body. Amounts go as Stripe's
 * minor units unchanged (see `plugin/core/currency-units.ts`).
 *
 * - `mit`: a managed MIT: `isMIT`, `isRecurring`, the subscription and `expiryDateUtc`.
 * - `cit_website`, `cit_call_center`: a customer-initiated decline, answered at once: `isMIT` false
 *   and no expiry; `isRecurring` and the subscription only when the invoice belongs to one.
 *
 * Every body carries `orderSource` from the payment's context and at most one kind of site
 * reference: `siteId`, `siteUrl` or `transaction.dynamicDescriptor` (or none).
 */
export function mapRenewalToEvaluate(input: RenewalSubmission & { mid: string }): RenewalEvaluateRequest {
  const { renewal } = input;
  const subscription = subscriptionOf(renewal);
  const mit = input.flow === 'mit';
  const additionalFields = [
    ...(subscription?.intervalCount
      ? [{ key: 'subscriptionIntervalCount', value: subscription.intervalCount }]
      : []),
    ...(renewal.originalAuthentication?.networkTransactionId
      ? [{ key: 'originalNetworkTransactionId', value: renewal.originalAuthentication.networkTransactionId }]
      : []),
  ];
  const threeDSecure = renewal.originalAuthentication?.threeDSecure
    ? threeDSecureOf(renewal.originalAuthentication.threeDSecure)
    : null;
  const body: Omit<RenewalEvaluateRequest, 'idempotencyKey'> = {
    isDeclined: true,
    isMIT: mit,
    isRecurring: subscription !== null,
    orderId: input.merchantOrderId,
    ...(mit ? { expiryDateUtc: input.expiresAt.toISOString() } : {}),
    mid: input.mid,
    orderSource: renewal.context.orderSource,
    // The shopper's IP, which older contract pages require on a CIT, when the merchant recorded it.
    ...(!mit && renewal.context.customerIp ? { customerIp: renewal.context.customerIp } : {}),
    ...siteRootFields(input.site),
    transaction: transactionOf(renewal, input.site),
    payer: {
      ...(renewal.customer.id ? { id: renewal.customer.id } : {}),
      // FlexCharge requires an email; ActiveMerchant sends "NA" when there is none and it is accepted.
      email: renewal.customer.email ?? 'NA',
      ...(renewal.customer.phone ? { phone: renewal.customer.phone } : {}),
    },
    billingInformation: billingInformationOf(renewal.card, renewal.customer),
    paymentMethod: paymentMethodOf(renewal.card, input.cardToken),
    orderItems: renewal.lines.map((line) => ({
      ...(line.priceId ? { sku: line.priceId } : {}),
      ...(line.description ? { name: line.description } : {}),
      amount: line.amount.amount,
      quantity: line.quantity,
    })),
    ...(subscription ? { subscription: subscription.wire } : {}),
    ...(threeDSecure ? { threeDSecure } : {}),
    ...(additionalFields.length > 0 ? { additionalFields } : {}),
  };
  // Keyed by the rescue and the body: a retry of the same call replays; should the engine's data
  // have changed in between, the new key is a repeat evaluate for the same orderId, which FlexCharge
  // answers with the existing order's state (contract §11) rather than a second rescue.
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, idempotencyKey: deterministicGuid('evaluate', input.rescueId, digest) };
}

/** The subscription the invoice belongs to, as §6.9 describes it; null for an invoice of none. */
function subscriptionOf(renewal: RenewalFailure) {
  // The port types it as always there; an invoice of no subscription is still mapped as one.
  const { subscription } = renewal;
  if (!subscription) return null;
  const cadence = intervalInWords(subscription.interval, subscription.intervalCount);
  return {
    intervalCount: cadence.intervalCount !== null ? String(cadence.intervalCount) : null,
    wire: {
      subscriptionId: subscription.id,
      interval: cadence.interval,
      price: subscription.price.amount,
      currency: subscription.price.currency,
      paymentNumber: String(subscription.paymentNumber),
    },
  };
}

function transactionOf(renewal: RenewalFailure, site: SiteReference): RenewalEvaluateRequest['transaction'] {
  const p = renewal.failedPayment;
  return {
    id: p.chargeId ?? p.paymentIntentId ?? renewal.invoiceId,
    timestampUtc: renewal.failedAt.toISOString(),
    timezoneUtcOffset: 0,
    amount: renewal.amountDue.amount,
    currency: renewal.amountDue.currency,
    ...transactionResultCodes(p),
    ...(p.message ? { responseDescription: p.message } : {}),
    responseStatus: 'DECLINED',
    ...(p.declineCode ? { responseSubStatus: p.declineCode } : {}),
    processorName: 'Stripe',
    cardNotPresent: true,
    transactionType: 'PURCHASE',
    ...descriptorOf(site),
  };
}

function paymentMethodOf(card: CardDetails | null, token: string): EvaluateRequest['paymentMethod'] {
  return {
    cardNumber: token,
    token: true,
    ...(card?.holderName ? { holderName: card.holderName } : {}),
    ...(card?.funding ? { cardType: card.funding.toUpperCase() } : {}),
    ...(card?.brand ? { cardBrand: card.brand.toUpperCase() } : {}),
    ...(card?.country ? { cardCountry: card.country.toUpperCase() } : {}),
    ...(card?.expMonth ? { expirationMonth: card.expMonth } : {}),
    ...(card?.expYear ? { expirationYear: card.expYear } : {}),
    ...(card?.last4 ? { cardLast4Digits: card.last4 } : {}),
  };
}
