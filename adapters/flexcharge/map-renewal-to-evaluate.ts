import { createHash } from 'node:crypto';
import type { CardDetails, RenewalFailure } from '../../plugin/core/billing-engine.js';
import type { RenewalSubmission } from '../../plugin/core/rescue-provider.js';
import { billingInformationOf } from './billing-information.js';
import { deterministicGuid } from './deterministic-guid.js';
import { type TransactionResultCodes, transactionResultCodes } from './result-codes.js';
import { intervalInWords } from './subscription-interval.js';
import { threeDSecureOf } from './three-d-secure.js';
import type { BillingInformation } from './wire/objects.js';
import type { EvaluateRequest } from './wire/requests.js';

/**
 * A managed-MIT evaluate body, with the fields FlexCharge's docs mark required for it made required
 * by type: the merchant, the billing information, the subscription and its expiry, and the failed
 * transaction's result codes.
 */
export type ManagedMitEvaluateRequest = EvaluateRequest & {
  readonly mid: string;
  readonly expiryDateUtc: string;
  readonly billingInformation: BillingInformation;
  readonly subscription: NonNullable<EvaluateRequest['subscription']>;
  readonly transaction: EvaluateRequest['transaction'] & TransactionResultCodes;
};

/**
 * The managed-MIT /evaluate body for a declined renewal (contract §6.12, MIT example): everything
 * FlexCharge can use, nothing we would have to invent. Pure, so the same rescue maps to the same
 * body. Amounts go as Stripe's minor units unchanged (see `plugin/core/currency-units.ts`).
 */
export function mapRenewalToEvaluate(input: RenewalSubmission & { mid: string }): ManagedMitEvaluateRequest {
  const { renewal } = input;
  const { subscription } = renewal;
  const cadence = intervalInWords(subscription.interval, subscription.intervalCount);
  const additionalFields = [
    ...(cadence.intervalCount !== null
      ? [{ key: 'subscriptionIntervalCount', value: String(cadence.intervalCount) }]
      : []),
    ...(renewal.originalAuthentication?.networkTransactionId
      ? [{ key: 'originalNetworkTransactionId', value: renewal.originalAuthentication.networkTransactionId }]
      : []),
  ];
  const threeDSecure = renewal.originalAuthentication?.threeDSecure
    ? threeDSecureOf(renewal.originalAuthentication.threeDSecure)
    : null;
  const body: Omit<ManagedMitEvaluateRequest, 'idempotencyKey'> = {
    isDeclined: true,
    isMIT: true,
    isRecurring: true,
    orderId: input.merchantOrderId,
    expiryDateUtc: input.expiresAt.toISOString(),
    mid: input.mid,
    ...(input.site.siteId ? { siteId: input.site.siteId } : {}),
    ...(input.site.siteUrl ? { siteUrl: input.site.siteUrl } : {}),
    transaction: transactionOf(renewal, input.site.descriptor),
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
    subscription: {
      subscriptionId: subscription.id,
      interval: cadence.interval,
      price: subscription.price.amount,
      currency: subscription.price.currency,
      paymentNumber: String(subscription.paymentNumber),
    },
    ...(threeDSecure ? { threeDSecure } : {}),
    ...(additionalFields.length > 0 ? { additionalFields } : {}),
  };
  // Keyed by the rescue and the body: a retry of the same call replays; should the engine's data
  // have changed in between, the new key is a repeat evaluate for the same orderId, which FlexCharge
  // answers with the existing order's state (contract §11) rather than a second rescue.
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, idempotencyKey: deterministicGuid('evaluate', input.rescueId, digest) };
}

function transactionOf(
  renewal: RenewalFailure,
  fallbackDescriptor: string | null,
): ManagedMitEvaluateRequest['transaction'] {
  const p = renewal.failedPayment;
  const descriptor = (renewal.statementDescriptor ?? fallbackDescriptor)?.slice(0, 22);
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
    ...(descriptor ? { dynamicDescriptor: descriptor } : {}),
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
