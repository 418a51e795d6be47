import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapChargeToTransmit } from '../../adapters/flexcharge/map-charge-to-transmit.js';
import type { ChargeReport } from '../../plugin/core/billing-engine.js';
import { renewalFailure } from './renewal-fixture.js';

const card = renewalFailure().card;
const approved: ChargeReport = {
  chargeId: 'ch_ok',
  context: { initiator: 'merchant', orderSource: 'website', siteMetadata: null },
  succeeded: true,
  amount: { amount: 2900, currency: 'EUR' },
  createdAt: new Date('2026-06-12T14:00:00Z'),
  invoiceId: 'in_1',
  subscription: {
    id: 'sub_1',
    interval: 'month',
    intervalCount: 6,
    price: { amount: 2900, currency: 'EUR' },
  },
  offSession: true,
  code: null,
  declineCode: null,
  networkDeclineCode: null,
  networkStatus: 'approved',
  network: 'visa',
  checks: { addressLine1: 'pass', postalCode: 'pass', cvc: null },
  card,
  customer: { id: 'cus_1', email: null, phone: null },
  statementDescriptor: 'ACME PRO',
};
const transmitOf = (charge: ChargeReport) =>
  mapChargeToTransmit(charge, {
    merchantOrderId: 'in_1',
    flow: 'mit',
    site: { kind: 'site_url', value: 'https://shop.example.com' },
    mid: 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45',
  });

describe('transmit body', () => {
  it('reports an approved charge with its checks and no invented approval code', () => {
    const { transaction } = transmitOf(approved);
    assert.equal(transaction.responseStatus, 'APPROVED');
    assert.equal(transaction.responseCode, 'NA');
    assert.equal(transaction.responseCodeSource, 'stripe');
    assert.equal(transaction.avsResultCode, 'Y');
    assert.equal(transaction.cvvResultCode, 'NA');
    assert.equal(transaction.cavvResultCode, 'NA');
  });

  it('reports a declined charge with the issuer’s code, sourced to its network', () => {
    const { transaction } = transmitOf({
      ...approved,
      succeeded: false,
      code: 'card_declined',
      declineCode: 'do_not_honor',
      networkDeclineCode: '05',
      networkStatus: 'declined',
    });
    assert.equal(transaction.responseStatus, 'DECLINED');
    assert.equal(transaction.responseCode, '05');
    assert.equal(transaction.responseCodeSource, 'visa');
    assert.equal(transaction.responseSubStatus, 'do_not_honor');
  });

  it('describes a six-monthly subscription in FlexCharge’s words with its count', () => {
    const body = transmitOf(approved);
    assert.equal(body.subscription?.interval, 'monthly');
    assert.deepEqual(body.additionalFields, [{ key: 'subscriptionIntervalCount', value: '6' }]);
  });

  it('leaves out a partial billing address (optional on /transmit, but complete once sent) and sends a whole one', () => {
    assert.equal(transmitOf(approved).billingInformation, undefined, 'country and postal code only');
    const card = approved.card!;
    const whole = transmitOf({
      ...approved,
      card: {
        ...card,
        billingAddress: { ...card.billingAddress!, line1: 'Unter den Linden 1', city: 'Berlin' },
      },
    });
    assert.deepEqual(whole.billingInformation, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      country: 'Germany',
      countryCode: 'DE',
      addressLine1: 'Unter den Linden 1',
      city: 'Berlin',
      zipCode: '10115',
    });
  });
});
