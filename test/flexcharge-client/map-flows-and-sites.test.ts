import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapChargeToTransmit } from '../../adapters/flexcharge/map-charge-to-transmit.js';
import { mapRenewalToEvaluate } from '../../adapters/flexcharge/map-renewal-to-evaluate.js';
import type { ChargeReport, RenewalFailure } from '../../plugin/core/billing-engine.js';
import type { MerchantFlow } from '../../plugin/core/merchant-settings.js';
import type { SiteReference } from '../../plugin/core/rescue-provider.js';
import { renewalFailure, renewalSubmission } from './renewal-fixture.js';

const MID = 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45';
const SITE_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';

const evaluateOf = (flow: MerchantFlow, site: SiteReference, renewal: RenewalFailure = renewalFailure()) =>
  mapRenewalToEvaluate({ ...renewalSubmission({ flow, site, renewal }), mid: MID });

const base = renewalFailure();
const charge: ChargeReport = {
  chargeId: 'ch_1',
  context: { initiator: 'customer', orderSource: 'call_center', siteMetadata: 'eu' },
  succeeded: false,
  amount: { amount: 1999, currency: 'EUR' },
  createdAt: new Date('2026-06-12T14:00:00Z'),
  invoiceId: 'in_1',
  subscription: {
    id: 'sub_1',
    interval: 'month',
    intervalCount: 1,
    price: { amount: 1999, currency: 'EUR' },
  },
  offSession: false,
  code: 'card_declined',
  declineCode: 'insufficient_funds',
  networkDeclineCode: '51',
  networkStatus: 'declined',
  network: 'visa',
  checks: null,
  card: base.card,
  customer: { id: 'cus_1', email: 'ada@example.com', phone: null },
  statementDescriptor: 'ACME PRO',
};
const transmitOf = (flow: MerchantFlow, site: SiteReference, report: ChargeReport = charge) =>
  mapChargeToTransmit(report, { merchantOrderId: 'in_1', flow, site, mid: MID });

/** The three places a site can be named, as sent. */
const sitesOf = (body: {
  siteId?: unknown;
  siteUrl?: unknown;
  transaction: { dynamicDescriptor?: unknown };
}) => ({
  siteId: body.siteId,
  siteUrl: body.siteUrl,
  dynamicDescriptor: body.transaction.dynamicDescriptor,
});

const KINDS: [string, SiteReference, ReturnType<typeof sitesOf>][] = [
  [
    'a site id as the root siteId only',
    { kind: 'site_id', value: SITE_ID },
    { siteId: SITE_ID, siteUrl: undefined, dynamicDescriptor: undefined },
  ],
  [
    'a site URL as the root siteUrl only',
    { kind: 'site_url', value: 'https://shop.example' },
    { siteId: undefined, siteUrl: 'https://shop.example', dynamicDescriptor: undefined },
  ],
  [
    'a descriptor as transaction.dynamicDescriptor only, cut to 22 characters',
    { kind: 'descriptor', value: 'ACME PRO SUBSCRIPTIONS EUROPE' },
    { siteId: undefined, siteUrl: undefined, dynamicDescriptor: 'ACME PRO SUBSCRIPTIONS' },
  ],
  [
    'no site as none of the three',
    { kind: 'none' },
    { siteId: undefined, siteUrl: undefined, dynamicDescriptor: undefined },
  ],
];

describe('site references: exactly one kind per request', () => {
  for (const [what, site, expected] of KINDS) {
    it(`evaluate sends ${what}, never the renewal's own statement descriptor besides`, () => {
      assert.equal(base.statementDescriptor, 'ACME PRO');
      assert.deepEqual(sitesOf(evaluateOf('mit', site)), expected);
    });
    it(`transmit sends ${what}`, () => {
      assert.deepEqual(sitesOf(transmitOf('mit', site)), expected);
    });
  }
});

describe('evaluate body by flow', () => {
  const site: SiteReference = { kind: 'site_id', value: SITE_ID };

  it('hands a renewal over as a managed MIT: isMIT, isRecurring, the expiry and the subscription', () => {
    const body = evaluateOf('mit', site);
    assert.equal(body.isMIT, true);
    assert.equal(body.isRecurring, true);
    assert.equal(body.expiryDateUtc, '2026-07-03T14:00:00.000Z');
    assert.equal(body.subscription?.subscriptionId, 'sub_1');
  });

  for (const flow of ['cit_website', 'cit_call_center'] as const) {
    it(`hands a ${flow} decline over as a CIT: isMIT false, no expiry, recurring with its subscription`, () => {
      const mit = evaluateOf('mit', site);
      const body = evaluateOf(flow, site);
      assert.equal(body.isMIT, false);
      assert.equal('expiryDateUtc' in body, false);
      assert.equal(body.isRecurring, true);
      assert.deepEqual(body.subscription, mit.subscription);
      const rest = (b: Record<string, unknown>) => {
        const { isMIT, expiryDateUtc, idempotencyKey, ...others } = b;
        return others;
      };
      assert.deepEqual(rest(body), rest(mit), 'everything else as for a MIT');
      assert.notEqual(body.idempotencyKey, mit.idempotencyKey);
    });
  }

  it('sends a CIT of an invoice that belongs to no subscription as not recurring, with no subscription', () => {
    const noSubscription = { ...base, subscription: null } as unknown as RenewalFailure;
    const body = evaluateOf('cit_website', site, noSubscription);
    assert.equal(body.isRecurring, false);
    assert.equal('subscription' in body, false);
    assert.equal(body.isMIT, false);
  });
});

describe('orderSource from the payment context', () => {
  for (const orderSource of ['website', 'call_center'] as const) {
    it(`sends orderSource ${orderSource} on evaluate and transmit`, () => {
      const renewal = renewalFailure({ context: { ...base.context, orderSource } });
      assert.equal(evaluateOf('mit', { kind: 'none' }, renewal).orderSource, orderSource);
      const report = { ...charge, context: { ...charge.context, orderSource } };
      assert.equal(transmitOf('cit_website', { kind: 'none' }, report).orderSource, orderSource);
    });
  }
});

describe('transmit body by flow', () => {
  it('marks a charge of the mit flow as a recurring MIT and a CIT flow as not a MIT', () => {
    assert.equal(transmitOf('mit', { kind: 'none' }).isMIT, true);
    const cit = transmitOf('cit_call_center', { kind: 'none' });
    assert.equal(cit.isMIT, false);
    assert.equal(cit.isRecurring, true);
    assert.equal(cit.subscription?.subscriptionId, 'sub_1');
    const oneOff = transmitOf('cit_website', { kind: 'none' }, { ...charge, subscription: null });
    assert.equal(oneOff.isRecurring, false);
    assert.equal('subscription' in oneOff, false);
  });
});
