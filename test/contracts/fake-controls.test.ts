import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError, SignatureError } from '../../plugin/core/errors.js';
import type { RenewalSubmission } from '../../plugin/core/rescue-provider.js';
import { CallJournal } from '../support/fakes/call-script.js';
import { createFakeBillingEngine } from '../support/fakes/fake-billing-engine.js';
import { createFakeRescueProvider } from '../support/fakes/fake-rescue-provider.js';
import { renewalFailure } from '../support/fakes/renewal-failure-fixture.js';

/** The controls a step test scripts the fakes with; what they fake is proven by the contract suites. */

const until = new Date('2026-03-01T00:00:00Z');

function submissionFor(invoiceId: string, rescueId = 'rsc_1'): RenewalSubmission {
  return {
    rescueId,
    merchantOrderId: invoiceId,
    renewal: renewalFailure(invoiceId),
    cardToken: 'fct_jenny_card',
    expiresAt: until,
    flow: 'mit',
    site: { kind: 'descriptor', value: 'ACME PRO' },
    merchantSiteId: null,
  };
}

describe('fake ports: the call journal', () => {
  it('records calls to both fakes in one order, so a test can see the hold came before the hand-over', async () => {
    const journal = new CallJournal();
    const engine = createFakeBillingEngine({ journal });
    const provider = createFakeRescueProvider({ journal });
    const { id } = engine.addDeclinedRenewal();
    await engine.invoiceStatus(id);
    await engine.holdRetries(id, { rescueId: 'rsc_1', until });
    await provider.submitRenewal(submissionFor(id));
    assert.deepEqual(journal.names(), [
      'engine.invoiceStatus',
      'engine.holdRetries',
      'provider.submitRenewal',
    ]);
    assert.deepEqual(engine.callsTo('holdRetries'), [[id, { rescueId: 'rsc_1', until }]]);
  });

  it('keeps the arguments as they were at the call', async () => {
    const engine = createFakeBillingEngine();
    const { id } = engine.addDeclinedRenewal();
    const hold = { rescueId: 'rsc_1', until };
    await engine.holdRetries(id, hold);
    hold.rescueId = 'changed later';
    assert.equal(engine.callsTo('holdRetries')[0]?.[1].rescueId, 'rsc_1');
  });
});

describe('fake ports: injected failures', () => {
  it('fails a method with a retryable ProviderError the given number of times, then lets it through', async () => {
    const engine = createFakeBillingEngine();
    const { id } = engine.addDeclinedRenewal();
    engine.fail('holdRetries', { times: 2 });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(engine.holdRetries(id, { rescueId: 'rsc_1', until }), { retryable: true });
    }
    assert.equal(engine.invoice(id).autoAdvance, true, 'a failure before the effect changes nothing');
    assert.deepEqual(await engine.holdRetries(id, { rescueId: 'rsc_1', until }), {
      previousAutoAdvance: true,
      invoiceStatus: 'open',
    });
  });

  it('fails with a fault no retry cures, or with the error given', async () => {
    const provider = createFakeRescueProvider();
    provider.fail('outcome', { retryable: false });
    const boom = new Error('boom');
    provider.fail('outcome', { error: boom });
    await assert.rejects(provider.outcome('fco_1'), (e) => e instanceof ProviderError && !e.retryable);
    await assert.rejects(provider.outcome('fco_1'), boom);
    assert.deepEqual(await provider.outcome('fco_1'), { status: 'not_found' });
  });

  it('can lose the answer after the call took effect, as a timeout after Stripe committed would', async () => {
    const engine = createFakeBillingEngine();
    const { id } = engine.addDeclinedRenewal();
    engine.fail('holdRetries', { afterEffect: true });
    await assert.rejects(engine.holdRetries(id, { rescueId: 'rsc_1', until }), ProviderError);
    assert.equal(engine.invoice(id).autoAdvance, false, 'the hold took effect');
    assert.deepEqual(await engine.holdRetries(id, { rescueId: 'rsc_1', until }), {
      previousAutoAdvance: true,
      invoiceStatus: 'open',
    });
  });
});

describe('fake ports: hooks inside a call', () => {
  it('lets the customer pay while the write-back is under way, which then reports paid_elsewhere', async () => {
    const engine = createFakeBillingEngine();
    const { id, amountDue } = engine.addDeclinedRenewal();
    engine.during('recordRecoveredPayment', (invoiceId) => engine.settleOutside(invoiceId, 'paid'));
    const payment = { amount: amountDue, providerOrderId: 'fco_1', confirmationId: null };
    const keyed = (rescueId: string) => ({ rescueId, idempotencyKey: `writeback-${rescueId}` });
    assert.equal(
      (
        await engine.recordRecoveredPayment(id, {
          ...payment,
          ...keyed('rsc_1'),
          recoveredAt: until,
          initiatedAt: until,
          collectedAt: until,
        })
      ).outcome,
      'paid_elsewhere',
    );
    assert.equal(
      (
        await engine.recordRecoveredPayment(id, {
          ...payment,
          ...keyed('rsc_2'),
          recoveredAt: until,
          initiatedAt: until,
          collectedAt: until,
        })
      ).outcome,
      'paid_elsewhere',
      'the hook ran once',
    );
  });

  it('lets FlexCharge collect just before a cancel arrives, which the sandbox then refuses', async () => {
    const provider = createFakeRescueProvider();
    const decision = await provider.submitRenewal(submissionFor('in_1'));
    const orderId = decision.orderId ?? assert.fail('no order');
    provider.during('cancel', () => provider.settle(orderId, 'approved'));
    await assert.rejects(provider.cancel(orderId, 'cancel-rsc_1'), { statusCode: 409, retryable: false });
    assert.equal(provider.order(orderId).status, 'approved');
  });
});

describe('fake billing engine: the invoice a test scripts', () => {
  it('re-reads the failure from the invoice as it is now, with the origin the webhook gave', async () => {
    const engine = createFakeBillingEngine();
    const { id } = engine.addDeclinedRenewal({ amountDue: { amount: 1500, currency: 'USD' } });
    engine.invoice(id).subscriptionStatus = 'unpaid';
    const renewal = await engine.loadRenewalFailure(id, { engineInitiated: false });
    assert.deepEqual(renewal.amountDue, { amount: 1500, currency: 'USD' });
    assert.equal(renewal.subscription.status, 'unpaid');
    assert.equal(renewal.engineInitiated, false);
  });

  it('verifies its own signed webhooks and refuses others, and normalizes to the event it carries', () => {
    const engine = createFakeBillingEngine();
    const { rawBody, headers } = engine.signedWebhook({ kind: 'invoice_voided', invoiceId: 'in_1' });
    const event = engine.verifyWebhook(rawBody, headers);
    assert.deepEqual(engine.normalize(event), { kind: 'invoice_voided', invoiceId: 'in_1' });
    assert.throws(() => engine.verifyWebhook(rawBody, { 'fake-signature': 'forged' }), SignatureError);
  });

  it('reports a charge no test added as not found', async () => {
    const engine = createFakeBillingEngine();
    await assert.rejects(engine.loadCharge('ch_1'), { code: 'not_found' });
  });
});

describe('fake rescue provider: scripted answers', () => {
  it('answers hand-overs as scripted, in turn, then submitted again', async () => {
    const provider = createFakeRescueProvider();
    provider.answerNext(
      { status: 'unknown', providerStatus: 'CHALLENGE' },
      { status: 'unknown', providerStatus: 'CAPTUREREQUIRED', withOrder: false },
      { status: 'declined', withOrder: false },
      { status: 'approved', collected: { amount: 2900, currency: 'EUR' } },
    );
    const answers = [];
    for (let i = 1; i <= 5; i++)
      answers.push(await provider.submitRenewal(submissionFor(`in_${i}`, `rsc_${i}`)));
    assert.deepEqual(
      answers.map((a) => [a.status, a.orderId !== null]),
      [
        ['unknown', true],
        ['unknown', false],
        ['declined', false],
        ['approved', true],
        ['submitted', true],
      ],
    );
    assert.deepEqual(await provider.outcome(answers[0]?.orderId ?? ''), {
      status: 'pending',
      providerStatus: 'CHALLENGE',
    });
    assert.deepEqual(answers[3]?.status === 'approved' && answers[3].collected, {
      amount: 2900,
      currency: 'EUR',
    });
  });

  it('answers a repeat hand-over for the same invoice with its order as it is now', async () => {
    const provider = createFakeRescueProvider();
    const first = await provider.submitRenewal(submissionFor('in_1'));
    provider.settle(first.orderId ?? '', 'approved');
    const again = await provider.submitRenewal(submissionFor('in_1'));
    assert.equal(again.status, 'approved');
    assert.equal(again.orderId, first.orderId);
  });

  it('judges amounts by FlexCharge’s test range unless told otherwise', () => {
    assert.equal(createFakeRescueProvider().acceptsAmount(25_000, 'EUR'), false);
    assert.equal(createFakeRescueProvider({ acceptsAmount: () => true }).acceptsAmount(25_000, 'EUR'), true);
  });

  it('transmits a charge the fake engine loads, and keeps what it was asked to transmit', async () => {
    const provider = createFakeRescueProvider();
    const engine = createFakeBillingEngine();
    const renewal = renewalFailure('in_1');
    engine.addCharge({
      chargeId: 'ch_1',
      context: { initiator: 'merchant', orderSource: 'website', siteMetadata: null },
      succeeded: true,
      amount: renewal.amountDue,
      createdAt: until,
      invoiceId: 'in_1',
      subscription: null,
      offSession: true,
      code: null,
      declineCode: null,
      networkDeclineCode: null,
      networkStatus: 'approved',
      network: 'visa',
      checks: null,
      card: renewal.card,
      customer: { id: 'cus_jenny', email: null, phone: null },
      statementDescriptor: null,
    });
    const charge = await engine.loadCharge('ch_1');
    const context = {
      merchantOrderId: 'in_1',
      flow: 'mit',
      site: { kind: 'none' },
      merchantSiteId: null,
    } as const;
    assert.deepEqual(await provider.transmit(charge, context), {
      transmitId: 'fct_tx_1',
    });
    assert.deepEqual(provider.transmitted, [{ chargeId: 'ch_1', merchantOrderId: 'in_1' }]);
  });
});
