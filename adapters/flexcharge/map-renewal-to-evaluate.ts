import { createHash } from 'node:crypto';
import type { CardDetails, PostalAddress, RenewalFailure } from '../../plugin/core/billing-engine.js';
import type { RenewalSubmission } from '../../plugin/core/rescue-provider.js';
import { deterministicGuid } from './deterministic-guid.js';
import type { EvaluateRequest } from './wire/requests.js';

/**
 * The managed-MIT /evaluate body for a declined renewal (contract §6.12, MIT example): everything
 * FlexCharge can use, nothing we would have to invent. Pure, so the same rescue maps to the same body.
 */
export function mapRenewalToEvaluate(
  input: RenewalSubmission & { mid: string | undefined },
): EvaluateRequest {
  const { renewal } = input;
  const body: Omit<EvaluateRequest, 'idempotencyKey'> = {
    isDeclined: true,
    isMIT: true,
    isRecurring: true,
    orderId: input.merchantOrderId,
    expiryDateUtc: input.expiresAt.toISOString(),
    ...(input.mid ? { mid: input.mid } : {}),
    ...(input.site.siteId ? { siteId: input.site.siteId } : {}),
    ...(input.site.siteUrl ? { siteUrl: input.site.siteUrl } : {}),
    transaction: transactionOf(renewal, input.site.descriptor),
    payer: {
      ...(renewal.customer.id ? { id: renewal.customer.id } : {}),
      // FlexCharge requires an email; ActiveMerchant sends "NA" when there is none and it is accepted.
      email: renewal.customer.email ?? 'NA',
      ...(renewal.customer.phone ? { phone: renewal.customer.phone } : {}),
    },
    ...billingOf(renewal),
    paymentMethod: paymentMethodOf(renewal.card, input.cardToken),
    orderItems: renewal.lines.map((line) => ({
      ...(line.priceId ? { sku: line.priceId } : {}),
      ...(line.description ? { name: line.description } : {}),
      amount: line.amount.amount,
      quantity: line.quantity,
    })),
    subscription: {
      subscriptionId: renewal.subscription.id,
      interval: intervalName(renewal.subscription.interval, renewal.subscription.intervalCount),
      price: renewal.subscription.price.amount,
      currency: renewal.subscription.price.currency,
      paymentNumber: String(renewal.subscription.paymentNumber),
    },
    ...threeDSecureOf(renewal),
    ...(renewal.originalAuthentication?.networkTransactionId
      ? {
          additionalFields: [
            {
              key: 'originalNetworkTransactionId',
              value: renewal.originalAuthentication.networkTransactionId,
            },
          ],
        }
      : {}),
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
): EvaluateRequest['transaction'] {
  const p = renewal.failedPayment;
  const descriptor = (renewal.statementDescriptor ?? fallbackDescriptor)?.slice(0, 22);
  const responseCode = p.networkDeclineCode ?? p.declineCode ?? p.code;
  return {
    id: p.chargeId ?? p.paymentIntentId ?? renewal.invoiceId,
    timestampUtc: renewal.failedAt.toISOString(),
    timezoneUtcOffset: 0,
    amount: renewal.amountDue.amount,
    currency: renewal.amountDue.currency,
    ...(responseCode ? { responseCode } : {}),
    ...(p.message ? { responseDescription: p.message } : {}),
    responseStatus: 'DECLINED',
    ...(p.declineCode ? { responseSubStatus: p.declineCode } : {}),
    responseCodeSource: 'stripe',
    processorName: 'Stripe',
    cardNotPresent: true,
    transactionType: 'PURCHASE',
    ...(descriptor ? { dynamicDescriptor: descriptor } : {}),
  };
}

function billingOf(renewal: RenewalFailure): Pick<EvaluateRequest, 'billingInformation'> {
  const address: PostalAddress | null = renewal.customer.address;
  const [firstName, ...rest] = (renewal.card?.holderName ?? renewal.customer.name ?? '').trim().split(/\s+/);
  const lastName = rest.join(' ');
  if (!address?.line1 || !address.city || !address.postalCode || !address.country || !firstName || !lastName)
    return {};
  return {
    billingInformation: {
      firstName,
      lastName,
      country: countryName(address.country),
      countryCode: address.country.toUpperCase(),
      addressLine1: address.line1,
      ...(address.line2 ? { addressLine2: address.line2 } : {}),
      ...(address.state ? { state: address.state } : {}),
      city: address.city,
      zipCode: address.postalCode,
      ...(renewal.customer.phone ? { phone: renewal.customer.phone } : {}),
    },
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

function threeDSecureOf(renewal: RenewalFailure): Pick<EvaluateRequest, 'threeDSecure'> {
  const tds = renewal.originalAuthentication?.threeDSecure;
  if (!tds) return {};
  const status =
    tds.result === 'authenticated'
      ? 'Y'
      : tds.result === 'attempt_acknowledged'
        ? 'A'
        : tds.result
          ? 'N'
          : undefined;
  return {
    threeDSecure: {
      ...(tds.version ? { threeDsVersion: tds.version } : {}),
      ...(tds.eci ? { EcommerceIndicator: tds.eci } : {}),
      ...(tds.dsTransactionId ? { directoryServerTransactionId: tds.dsTransactionId } : {}),
      ...(status ? { authenticationResponseStatus: status, directoryResponseStatus: status } : {}),
    },
  };
}

/** `monthly` is the one value the contract shows; the others follow its pattern. */
export function intervalName(interval: string, count: number): string {
  const names: Record<string, string> = { day: 'daily', week: 'weekly', month: 'monthly', year: 'yearly' };
  if (count === 1 && names[interval]) return names[interval];
  if (interval === 'month' && count === 3) return 'quarterly';
  return `every ${count} ${interval}s`;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
function countryName(code: string): string {
  try {
    return regionNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
