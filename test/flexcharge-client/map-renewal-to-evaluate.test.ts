import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapRenewalToEvaluate } from '../../adapters/flexcharge/map-renewal-to-evaluate.js';
import type { RenewalFailure, ThreeDSecureDetails } from '../../plugin/core/billing-engine.js';
import { renewalFailure, renewalSubmission } from './renewal-fixture.js';

const MID = 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45';
const evaluateFor = (overrides: Partial<RenewalFailure>) =>
  mapRenewalToEvaluate({ ...renewalSubmission({ renewal: renewalFailure(overrides) }), mid: MID });
const base = renewalFailure();
const noAddress = { line1: null, line2: null, city: null, state: null, postalCode: null, country: null };

describe('evaluate body: merchant and billing information', () => {
  it('always carries the mid', () => {
    assert.equal(evaluateFor({}).mid, MID);
  });

  it('sends the billing information Stripe has, even when it is only a country and a postal code', () => {
    assert.deepEqual(evaluateFor({}).billingInformation, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      country: 'Germany',
      countryCode: 'DE',
      zipCode: '10115',
    });
  });

  it('takes the card’s billing address before the customer’s, without mixing the two', () => {
    const body = evaluateFor({
      customer: {
        ...base.customer,
        phone: '+49 30 1234567',
        address: {
          line1: 'Unter den Linden 1',
          line2: null,
          city: 'Berlin',
          state: null,
          postalCode: '10117',
          country: 'DE',
        },
      },
    });
    assert.deepEqual(body.billingInformation, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+49 30 1234567',
      country: 'Germany',
      countryCode: 'DE',
      zipCode: '10115',
    });
  });

  it('falls back to the customer’s address and name when the card has none', () => {
    const body = evaluateFor({
      card: base.card && { ...base.card, holderName: null, billingAddress: null },
      customer: {
        ...base.customer,
        name: 'Prince',
        address: {
          line1: '1 Main St',
          line2: 'Apt 2',
          city: 'Austin',
          state: 'TX',
          postalCode: '78701',
          country: 'us',
        },
      },
    });
    assert.deepEqual(body.billingInformation, {
      firstName: 'Prince',
      country: 'United States',
      countryCode: 'US',
      addressLine1: '1 Main St',
      addressLine2: 'Apt 2',
      state: 'TX',
      city: 'Austin',
      zipCode: '78701',
    });
  });

  it('keeps billingInformation, empty, when Stripe knows nothing about it', () => {
    const body = evaluateFor({
      card: base.card && { ...base.card, holderName: null, billingAddress: { ...noAddress } },
      customer: { ...base.customer, name: null, phone: null, address: null },
    });
    assert.deepEqual(body.billingInformation, {});
  });
});

describe('evaluate body: the failed transaction’s result codes', () => {
  const codesOf = (failedPayment: Partial<RenewalFailure['failedPayment']>) => {
    const { transaction } = evaluateFor({ failedPayment: { ...base.failedPayment, ...failedPayment } });
    const { responseCode, responseCodeSource, avsResultCode, cvvResultCode, cavvResultCode } = transaction;
    return { responseCode, responseCodeSource, avsResultCode, cvvResultCode, cavvResultCode };
  };

  it('sends the issuer’s code as the network relayed it, sourced to that network', () => {
    assert.deepEqual(codesOf({}), {
      responseCode: '51',
      responseCodeSource: 'visa',
      avsResultCode: 'P',
      cvvResultCode: 'NA',
      cavvResultCode: 'NA',
    });
  });

  it('sends Stripe’s decline code, sourced to Stripe, for an attempt that never reached the network', () => {
    const codes = codesOf({
      networkDeclineCode: null,
      networkStatus: 'not_sent',
      declineCode: 'fraudulent',
      checks: null,
    });
    assert.deepEqual(codes, {
      responseCode: 'fraudulent',
      responseCodeSource: 'stripe',
      avsResultCode: 'NA',
      cvvResultCode: 'NA',
      cavvResultCode: 'NA',
    });
  });

  it('sends the placeholder, never an empty source, when Stripe reports no code at all', () => {
    const codes = codesOf({
      code: null,
      declineCode: null,
      networkDeclineCode: null,
      network: null,
      checks: null,
    });
    assert.equal(codes.responseCode, 'NA');
    assert.equal(codes.responseCodeSource, 'stripe');
  });

  const avsCases: Array<[string, string | null, string | null, string]> = [
    ['both matched', 'pass', 'pass', 'Y'],
    ['the street only', 'pass', 'fail', 'A'],
    ['the postal code only', 'fail', 'pass', 'Z'],
    ['neither', 'fail', 'fail', 'N'],
    ['the street, postal code not checked', 'pass', 'unchecked', 'B'],
    ['a failed postal code, street not sent', null, 'fail', 'N'],
    ['the issuer could not check', 'unavailable', 'unavailable', 'U'],
    ['nothing was checked', 'unchecked', null, 'NA'],
  ];
  for (const [what, street, postal, avs] of avsCases) {
    it(`reads card checks where ${what} as AVS ${avs}`, () => {
      const checks = { addressLine1: street, postalCode: postal, cvc: null } as NonNullable<
        RenewalFailure['failedPayment']['checks']
      >;
      assert.equal(codesOf({ checks }).avsResultCode, avs);
    });
  }

  for (const [cvc, code] of [
    ['pass', 'M'],
    ['fail', 'N'],
    ['unavailable', 'U'],
    ['unchecked', 'P'],
  ] as const) {
    it(`reads a CVC check ${cvc} as CVV ${code}`, () => {
      assert.equal(codesOf({ checks: { addressLine1: null, postalCode: null, cvc } }).cvvResultCode, code);
    });
  }
});

describe('evaluate body: the subscription', () => {
  const subscriptionOf = (interval: string, intervalCount: number) =>
    evaluateFor({ subscription: { ...base.subscription, interval, intervalCount } });

  for (const [interval, count, word] of [
    ['day', 1, 'daily'],
    ['week', 1, 'weekly'],
    ['month', 1, 'monthly'],
    ['month', 3, 'quarterly'],
    ['month', 12, 'yearly'],
    ['year', 1, 'yearly'],
  ] as const) {
    it(`says ${word} for every ${count} ${interval}`, () => {
      const body = subscriptionOf(interval, count);
      assert.equal(body.subscription?.interval, word);
      assert.equal(
        body.additionalFields?.find((f) => f.key === 'subscriptionIntervalCount'),
        undefined,
      );
    });
  }

  it('says the unit’s word and the count for a cadence with no word of its own', () => {
    const body = subscriptionOf('week', 2);
    assert.equal(body.subscription?.interval, 'weekly');
    assert.deepEqual(body.additionalFields, [{ key: 'subscriptionIntervalCount', value: '2' }]);
  });

  it('prices the subscription as the renewal prices it, in minor units', () => {
    const body = evaluateFor({
      subscription: { ...base.subscription, price: { amount: 4250, currency: 'EUR' } },
    });
    assert.deepEqual(
      { price: body.subscription?.price, currency: body.subscription?.currency },
      { price: 4250, currency: 'EUR' },
    );
  });
});

describe('evaluate body: 3-D Secure of the initial transaction', () => {
  const tds = (details: Partial<ThreeDSecureDetails>) =>
    evaluateFor({
      originalAuthentication: {
        source: { kind: 'payment', id: 'ch_first' },
        networkTransactionId: null,
        threeDSecure: {
          version: '2.2.0',
          eci: '05',
          result: 'authenticated',
          resultReason: null,
          authenticationFlow: 'frictionless',
          dsTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
          xid: null,
          ...details,
        },
      },
    }).threeDSecure;

  it('sends a frictionless authentication as Y from the directory and the ACS alike', () => {
    assert.deepEqual(tds({}), {
      threeDsVersion: '2.2.0',
      EcommerceIndicator: '05',
      directoryServerTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
      directoryResponseStatus: 'Y',
      authenticationResponseStatus: 'Y',
      enrolled: 'Y',
    });
  });

  it('sends a challenge as C from the directory, then the challenge’s result', () => {
    const body = tds({ authenticationFlow: 'challenge' });
    assert.equal(body?.directoryResponseStatus, 'C');
    assert.equal(body?.authenticationResponseStatus, 'Y');
  });

  const statuses: Array<[Partial<ThreeDSecureDetails>, string]> = [
    [{ result: 'attempt_acknowledged', authenticationFlow: null }, 'A'],
    [{ result: 'failed', resultReason: 'abandoned', authenticationFlow: 'challenge' }, 'N'],
    [{ result: 'failed', resultReason: 'rejected', authenticationFlow: null }, 'R'],
    [{ result: 'exempted', authenticationFlow: null }, 'I'],
    [{ result: 'data_share_only', authenticationFlow: null }, 'I'],
    [{ result: 'not_supported', resultReason: 'network_not_supported', authenticationFlow: null }, 'U'],
    [{ result: 'processing_error', resultReason: 'protocol_error', authenticationFlow: null }, 'U'],
  ];
  for (const [details, status] of statuses) {
    it(`sends ${details.result}${details.resultReason ? ` (${details.resultReason})` : ''} as ${status}, not as a failed authentication by default`, () => {
      assert.equal(tds(details)?.authenticationResponseStatus, status);
    });
  }

  it('says the card was not enrolled when Stripe says so, and nothing about enrolment otherwise', () => {
    assert.equal(tds({ result: 'not_supported', resultReason: 'card_not_enrolled' })?.enrolled, 'N');
    assert.equal(tds({ result: 'exempted', authenticationFlow: null })?.enrolled, undefined);
  });

  it('puts a 3-D Secure 1 transaction id in xid, with no directory status', () => {
    const body = tds({ version: '1.0.2', dsTransactionId: null, xid: 'MDAwMDAwMDAwMDAwMDAwMzIyNzY=' });
    assert.equal(body?.xid, 'MDAwMDAwMDAwMDAwMDAwMzIyNzY=');
    assert.equal(body?.directoryServerTransactionId, undefined);
    assert.equal(body?.directoryResponseStatus, undefined);
    assert.equal(body?.authenticationResponseStatus, 'Y');
  });

  it('sends no statuses for a result it does not know', () => {
    const body = tds({ result: null, authenticationFlow: null });
    assert.equal(body?.authenticationResponseStatus, undefined);
    assert.equal(body?.directoryResponseStatus, undefined);
    assert.equal(body?.threeDsVersion, '2.2.0');
  });
});
