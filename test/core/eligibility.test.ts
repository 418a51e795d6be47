import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RenewalFailure } from '../../plugin/core/billing-engine.js';
import { checkEligibility } from '../../plugin/core/eligibility.js';
import { DEFAULT_NO_RETRY_DECLINE_CODES, type MerchantPolicy } from '../../plugin/core/merchant-policy.js';
import type { MerchantFlow } from '../../plugin/core/merchant-settings.js';
import { renewalFailure } from '../support/fakes/renewal-failure-fixture.js';

const failedAt = new Date('2026-11-01T10:00:00Z');

// Eligible as it stands (the port fakes' renewal); each case overrides what it is about.
const renewal: RenewalFailure = renewalFailure('in_1', {
  failedAt,
  amountDue: { amount: 1999, currency: 'USD' },
});

const policy: MerchantPolicy = {
  freshnessWindowMs: 24 * 3600_000,
  expiryDays: 21,
  noRetryDeclineCodes: new Set(DEFAULT_NO_RETRY_DECLINE_CODES),
  pollIntervalMs: 6 * 3600_000,
  expiryGraceMs: 3600_000,
  challengeWindowMs: 24 * 3600_000,
  releaseFallback: 'retry_once',
};

const context = {
  now: new Date(failedAt.getTime() + 60_000),
  firstSeenAt: new Date(failedAt.getTime() + 5_000),
  acceptsAmount: (amount: number) => amount > 10 && amount < 20_000,
  hasCardToken: true,
};

const reasonFor = (
  r: Partial<RenewalFailure>,
  p: Partial<MerchantPolicy> = {},
  c: Partial<typeof context> = {},
  flow: MerchantFlow = 'mit',
) => {
  const verdict = checkEligibility({ ...renewal, ...r }, flow, { ...policy, ...p }, { ...context, ...c });
  return verdict.eligible ? 'eligible' : verdict.reason;
};

describe('rescue eligibility', () => {
  it('accepts a fresh first failure of an automatic off-session renewal', () => {
    assert.equal(reasonFor({}), 'eligible');
  });

  it("takes a subscription's first payment, declined with the customer present, as CIT", () => {
    const first = { billingReason: 'subscription_create', engineInitiated: false, automaticCollection: true };
    const incomplete = { ...renewal.subscription, status: 'incomplete' };
    assert.equal(reasonFor({ ...first, subscription: incomplete }, {}, {}, 'cit_website'), 'eligible');
    assert.equal(reasonFor({ ...first, subscription: incomplete }, {}, {}, 'mit'), 'subscription_not_active');
    assert.equal(reasonFor({}, {}, {}, 'cit_call_center'), 'not_a_renewal', 'a renewal is no CIT');
  });

  it('refuses what is not an automatic renewal attempted by the engine itself', () => {
    assert.equal(reasonFor({ billingReason: 'subscription_create' }), 'not_a_renewal');
    assert.equal(reasonFor({ automaticCollection: false }), 'not_automatic_collection');
    assert.equal(reasonFor({ engineInitiated: false }), 'not_off_session');
    assert.equal(reasonFor({ attemptCount: 2 }), 'not_first_failure');
    assert.equal(reasonFor({ invoiceStatus: 'paid' }), 'invoice_not_open');
  });

  it('refuses a renewal whose subscription is cancelled, paused, or otherwise not collecting', () => {
    const sub = renewal.subscription;
    assert.equal(reasonFor({ subscription: { ...sub, status: 'canceled' } }), 'subscription_not_active');
    assert.equal(reasonFor({ subscription: { ...sub, status: 'paused' } }), 'subscription_not_active');
    assert.equal(reasonFor({ subscription: { ...sub, collectionPaused: true } }), 'subscription_not_active');
    assert.equal(reasonFor({ subscription: { ...sub, status: 'active' } }), 'eligible');
  });

  it('refuses a failure seen later than the freshness window', () => {
    assert.equal(
      reasonFor({}, {}, { firstSeenAt: new Date(failedAt.getTime() + 25 * 3600_000) }),
      'stale_failure',
    );
  });

  it('refuses amounts FlexCharge does not take', () => {
    assert.equal(reasonFor({ amountDue: { amount: 25_000, currency: 'USD' } }), 'amount_out_of_range');
  });

  it('refuses declines card networks forbid retrying, by Stripe name or network code', () => {
    assert.equal(
      reasonFor({ failedPayment: { ...renewal.failedPayment, declineCode: 'stolen_card' } }),
      'no_retry_decline',
    );
    assert.equal(
      reasonFor({ failedPayment: { ...renewal.failedPayment, declineCode: null, networkDeclineCode: '43' } }),
      'no_retry_decline',
    );
  });

  it('refuses a card without a FlexCharge token, saying so', () => {
    assert.equal(reasonFor({}, {}, { hasCardToken: false }), 'no_card_token');
  });
});
