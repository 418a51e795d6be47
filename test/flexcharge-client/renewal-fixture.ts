import type { RenewalFailure } from '../../plugin/core/billing-engine.js';
import type { RenewalSubmission } from '../../plugin/core/rescue-provider.js';

/** A declined monthly renewal as the Stripe adapter reports it: EUR 19.99, second payment, a 3DS-authenticated signup. */
export function renewalFailure(overrides: Partial<RenewalFailure> = {}): RenewalFailure {
  return {
    invoiceId: 'in_renewal',
    context: { initiator: 'merchant', orderSource: 'website', siteMetadata: null },
    invoiceStatus: 'open',
    billingReason: 'subscription_cycle',
    automaticCollection: true,
    engineInitiated: true,
    attemptCount: 1,
    autoAdvance: true,
    failedAt: new Date('2026-06-12T14:00:00Z'),
    amountDue: { amount: 1999, currency: 'EUR' },
    statementDescriptor: 'ACME PRO',
    subscription: {
      id: 'sub_1',
      status: 'past_due',
      collectionPaused: false,
      interval: 'month',
      intervalCount: 1,
      price: { amount: 1999, currency: 'EUR' },
      paymentNumber: 2,
    },
    failedPayment: {
      chargeId: 'ch_failed',
      paymentIntentId: 'pi_failed',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      networkDeclineCode: '51',
      networkStatus: 'declined',
      network: 'visa',
      checks: { addressLine1: null, postalCode: 'pass', cvc: null },
      adviceCode: 'try_again_later',
      message: 'Your card has insufficient funds.',
    },
    card: {
      paymentMethodId: 'pm_1',
      brand: 'visa',
      funding: 'credit',
      country: 'DE',
      expMonth: 9,
      expYear: 2030,
      last4: '3184',
      holderName: 'Ada Lovelace',
      billingAddress: {
        line1: null,
        line2: null,
        city: null,
        state: null,
        postalCode: '10115',
        country: 'DE',
      },
      flexchargeToken: 'fc-token-1',
    },
    customer: {
      id: 'cus_1',
      email: 'ada@example.com',
      phone: null,
      name: 'Ada Lovelace',
      address: null,
    },
    lines: [
      {
        description: '1 × Pro (at €19.99 / month)',
        amount: { amount: 1999, currency: 'EUR' },
        quantity: 1,
        priceId: 'price_pro',
      },
    ],
    originalAuthentication: null,
    ...overrides,
  };
}

export function renewalSubmission(overrides: Partial<RenewalSubmission> = {}): RenewalSubmission {
  return {
    rescueId: 'rescue-1',
    flow: 'mit',
    merchantOrderId: 'in_renewal',
    renewal: renewalFailure(),
    cardToken: 'fc-token-1',
    expiresAt: new Date('2026-07-03T14:00:00Z'),
    site: { kind: 'site_id', value: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e' },
    merchantSiteId: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
    ...overrides,
  };
}
