import type { RenewalFailure } from '../../../plugin/core/billing-engine.js';

/**
 * A renewal as the engine reports it after its own first automatic attempt was declined: Jenny's
 * €29 monthly plan, third payment, card declined for insufficient funds, first payment authenticated
 * with 3-D Secure. Eligible for rescue as it stands; override what a test is about.
 */
export function renewalFailure(invoiceId: string, overrides: Partial<RenewalFailure> = {}): RenewalFailure {
  const price = { amount: 2900, currency: 'EUR' };
  return {
    invoiceId,
    context: { initiator: 'merchant', orderSource: 'website', siteMetadata: null },
    invoiceStatus: 'open',
    billingReason: 'subscription_cycle',
    automaticCollection: true,
    engineInitiated: true,
    attemptCount: 1,
    autoAdvance: true,
    failedAt: new Date('2026-01-15T12:00:00Z'),
    amountDue: price,
    statementDescriptor: 'ACME PRO',
    subscription: {
      id: `sub_of_${invoiceId}`,
      status: 'past_due',
      collectionPaused: false,
      interval: 'month',
      intervalCount: 1,
      price,
      paymentNumber: 3,
    },
    failedPayment: {
      chargeId: `ch_of_${invoiceId}`,
      paymentIntentId: `pi_of_${invoiceId}`,
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      networkDeclineCode: '51',
      networkStatus: 'declined',
      network: 'visa',
      checks: null,
      adviceCode: 'try_again_later',
      message: 'Your card has insufficient funds.',
    },
    card: {
      paymentMethodId: 'pm_jenny',
      brand: 'visa',
      funding: 'credit',
      country: 'FR',
      expMonth: 9,
      expYear: 2030,
      last4: '3184',
      holderName: 'Jenny Rosen',
      billingAddress: null,
      flexchargeToken: 'fct_jenny_card',
    },
    customer: {
      id: 'cus_jenny',
      email: 'jenny@example.com',
      phone: '+33612345678',
      name: 'Jenny Rosen',
      address: {
        line1: '1 Rue de Rivoli',
        line2: null,
        city: 'Paris',
        state: null,
        postalCode: '75001',
        country: 'FR',
      },
    },
    lines: [{ description: 'Pro plan', amount: price, quantity: 1, priceId: 'price_pro_monthly' }],
    originalAuthentication: {
      source: { kind: 'payment', id: 'ch_first' },
      networkTransactionId: '123456789012345',
      threeDSecure: {
        version: '2.2.0',
        eci: '05',
        result: 'authenticated',
        resultReason: null,
        dsTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808571e01',
        xid: null,
        authenticationFlow: 'challenge',
      },
    },
    ...overrides,
  };
}
