import { randomUUID } from 'node:crypto';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import type {
  EvaluateRequest,
  TokenizeRequest,
  TransmitRequest,
} from '../../adapters/flexcharge/wire/requests.js';
import { DAY_MS } from '../../plugin/core/clock.js';

/** The card FlexCharge's sandbox rescues as a managed MIT (contract §12). */
export const RESCUABLE_CARD = '4000002760003184';

export function tokenizeRequest(number = RESCUABLE_CARD): TokenizeRequest {
  return {
    payment_method: {
      credit_card: {
        first_name: 'Cure',
        last_name: 'Tester',
        number,
        verification_value: '999',
        month: '09',
        year: '2030',
      },
    },
  };
}

/** A declined monthly renewal handed over as a managed MIT, with three weeks to rescue it. */
export function managedMitRequest(input: {
  token: string;
  now: Date;
  amount?: number;
  idempotencyKey?: string;
  orderId?: string;
}): EvaluateRequest {
  const amount = input.amount ?? 1999;
  return {
    orderId: input.orderId ?? `INV-${randomUUID()}`,
    idempotencyKey: input.idempotencyKey ?? randomUUID(),
    isDeclined: true,
    isMIT: true,
    isRecurring: true,
    siteId: DEMO_CREDENTIAL.siteIds?.[0],
    expiryDateUtc: new Date(input.now.getTime() + 21 * DAY_MS).toISOString(),
    subscription: { subscriptionId: 'SUB-42', interval: 'monthly', price: amount, currency: 'USD' },
    transaction: {
      id: `ch_${randomUUID()}`,
      timestampUtc: input.now.toISOString(),
      timezoneUtcOffset: 0,
      amount,
      currency: 'USD',
      responseCode: '51',
      responseDescription: 'Insufficient funds',
      responseCodeSource: 'stripe',
      avsResultCode: 'NA',
      cvvResultCode: 'NA',
      cavvResultCode: 'NA',
      cardNotPresent: true,
    },
    payer: { id: 'cus_42', email: 'jane@example.com', phone: '+1 555-123-4567' },
    billingInformation: {
      firstName: 'Jane',
      lastName: 'Doe',
      country: 'United States',
      countryCode: 'US',
      addressLine1: '123 Main St.',
      state: 'CA',
      city: 'San Francisco',
      zipCode: '94111',
    },
    paymentMethod: { cardNumber: input.token, token: true, cardLast4Digits: '3184' },
  };
}

export function transmitRequest(now: Date): TransmitRequest {
  return {
    orderId: `INV-${randomUUID()}`,
    isDeclined: false,
    isMIT: true,
    isRecurring: true,
    siteId: DEMO_CREDENTIAL.siteIds?.[0],
    subscription: { subscriptionId: 'SUB-42', interval: 'monthly', price: 1999, currency: 'USD' },
    transaction: {
      id: `ch_${randomUUID()}`,
      timestampUtc: now.toISOString(),
      amount: 1999,
      currency: 'USD',
      responseCode: '00',
      responseCodeSource: 'stripe',
      avsResultCode: 'M',
      cvvResultCode: 'M',
      cavvResultCode: 'NA',
    },
    payer: { email: 'jane@example.com' },
    paymentMethod: { cardBrand: 'VISA', cardLast4Digits: '3184', expirationMonth: 9, expirationYear: 2030 },
  };
}
