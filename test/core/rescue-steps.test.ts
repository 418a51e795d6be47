import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError } from '../../plugin/core/errors.js';
import type { MerchantPolicy, ReleaseFallback } from '../../plugin/core/merchant-policy.js';
import type { MerchantProfile } from '../../plugin/core/merchant-runtime.js';
import type { Rescue, RescuePatch } from '../../plugin/core/rescue.js';
import { runRescueStep, type StepContext } from '../../plugin/core/rescue-steps.js';
import { CallJournal } from '../support/fakes/call-script.js';
import { createFakeBillingEngine } from '../support/fakes/fake-billing-engine.js';
import { createFakeRescueProvider } from '../support/fakes/fake-rescue-provider.js';

const NOW = new Date('2026-03-02T09:00:00Z');

function policy(releaseFallback: ReleaseFallback = 'retry_once'): MerchantPolicy {
  return {
    freshnessWindowMs: 24 * 3_600_000,
    expiryDays: 21,
    noRetryDeclineCodes: new Set(['stolen_card']),
    pollIntervalMs: 6 * 3_600_000,
    expiryGraceMs: 3_600_000,
    challengeWindowMs: 24 * 3_600_000,
    releaseFallback,
  };
}

/** One merchant with MIT on in sandbox and one site, as the stored directory would build it. */
const PROFILE: MerchantProfile = {
  merchantId: 'default',
  flows: {
    mit: { mode: 'on', environment: 'sandbox' },
    cit_website: { mode: 'off', environment: 'sandbox' },
    cit_call_center: { mode: 'off', environment: 'sandbox' },
  },
  sites: [],
  credentialSites: { sandbox: { siteId: null, siteUrl: 'https://shop.example.com' } },
  environments: new Set(['sandbox']),
};
const SITE = { site: { kind: 'site_url', value: 'https://shop.example.com' }, merchantSiteId: null } as const;

function rescueOf(invoiceId: string, over: Partial<Rescue> = {}): Rescue {
  return {
    id: `rsc_${invoiceId}`,
    merchantId: 'default',
    engine: 'fake-engine',
    invoiceId,
    subscriptionId: `sub_of_${invoiceId}`,
    state: 'received',
    flow: 'mit',
    environment: null,
    mode: null,
    siteId: null,
    orderSource: null,
    createdAt: NOW,
    failedAt: NOW,
    engineInitiated: true,
    amount: { amount: 2900, currency: 'EUR' },
    providerOrderId: null,
    confirmationId: null,
    expiresAt: null,
    holdAppliedAt: null,
    previousAutoAdvance: null,
    attempts: 0,
    holdActive: false,
    orderOpen: false,
    providerStatus: null,
    releaseAs: 'released',
    writeBackKey: null,
    writtenBackAt: null,
    outcomeAt: null,
    writeBackReference: null,
    refundReference: null,
    refundedAt: null,
    collected: null,
    ...over,
  };
}

function world(
  fallback?: ReleaseFallback,
  refundedOutcome?: 'approved' | 'refunded',
  cancelCompleted?: 'refuse' | 'accept',
) {
  const journal = new CallJournal();
  const engine = createFakeBillingEngine({ journal });
  const provider = createFakeRescueProvider({
    journal,
    ...(refundedOutcome ? { refundedOutcome } : {}),
    ...(cancelCompleted ? { cancelCompleted } : {}),
  });
  const checkpoints: RescuePatch[] = [];
  const ctx: StepContext = {
    engine,
    provider,
    providerFor: () => provider,
    merchant: PROFILE,
    policy: policy(fallback),
    now: NOW,
    findCardToken: async () => 'tok_fake',
    checkpoint: async (patch) => {
      checkpoints.push(patch);
    },
  };
  return { journal, engine, provider, ctx, checkpoints };
}

describe('rescue steps on the port fakes', () => {
  it("records an ineligible failure under its flow's mode, so a shadow trial's refusals stay out of the live figures", async () => {
    for (const mode of ['shadow', 'on'] as const) {
      const w = world();
      w.ctx = {
        ...w.ctx,
        merchant: { ...PROFILE, flows: { ...PROFILE.flows, mit: { mode, environment: 'sandbox' } } },
      };
      const invoice = w.engine.addDeclinedRenewal({ subscriptionStatus: 'canceled' });
      const outcome = await runRescueStep(rescueOf(invoice.id), w.ctx);
      assert.deepEqual([outcome.to, outcome.patch?.mode], ['ineligible', mode]);
    }
    const off = world();
    off.ctx = {
      ...off.ctx,
      merchant: { ...PROFILE, flows: { ...PROFILE.flows, mit: { mode: 'off', environment: 'sandbox' } } },
    };
    const invoice = off.engine.addDeclinedRenewal();
    const outcome = await runRescueStep(rescueOf(invoice.id), off.ctx);
    assert.deepEqual([outcome.patch?.ineligibleReason, outcome.patch?.mode], ['flow_off', null]);
  });

  it('holds the invoice before anything is handed to FlexCharge, recording the hold before the call', async () => {
    const w = world();
    const invoice = w.engine.addDeclinedRenewal();
    const { failedAt } = await w.engine.loadRenewalFailure(invoice.id);
    const fresh = { createdAt: failedAt, failedAt };
    const prepared = await runRescueStep(rescueOf(invoice.id, fresh), w.ctx);
    assert.equal(prepared.to, 'evaluating', prepared.note);
    assert.deepEqual(w.checkpoints[0] && 'holdActive' in w.checkpoints[0], true, 'hold recorded first');
    const submitted = await runRescueStep(
      rescueOf(invoice.id, {
        ...fresh,
        state: 'evaluating',
        holdActive: true,
        expiresAt: prepared.patch?.expiresAt ?? null,
      }),
      w.ctx,
    );
    assert.equal(submitted.to, 'held');
    const names = w.journal.names();
    assert.ok(names.indexOf('engine.holdRetries') < names.indexOf('provider.submitRenewal'), names.join(' '));
  });

  it('never hands over less than two weeks, however long an outage delayed the evaluate', async () => {
    const w = world();
    const invoice = w.engine.addDeclinedRenewal();
    const { failedAt } = await w.engine.loadRenewalFailure(invoice.id);
    const late = rescueOf(invoice.id, {
      state: 'evaluating',
      createdAt: failedAt,
      failedAt,
      holdActive: true,
      expiresAt: new Date(NOW.getTime() + 10 * 86_400_000),
    });
    await runRescueStep(late, w.ctx);
    const [sent] = w.provider.callsTo('submitRenewal')[0] ?? [];
    assert.ok(sent && sent.expiresAt.getTime() - NOW.getTime() >= 14 * 86_400_000, 'renewed to the minimum');

    // Once an evaluate may have reached FlexCharge, the same body (and key) is sent again.
    const again = world();
    const second = again.engine.addDeclinedRenewal();
    const fixed = new Date(NOW.getTime() + 10 * 86_400_000);
    await runRescueStep(
      { ...late, invoiceId: second.id, id: 'rsc_again', orderOpen: true, expiresAt: fixed },
      again.ctx,
    );
    assert.equal(again.provider.callsTo('submitRenewal')[0]?.[0].expiresAt.getTime(), fixed.getTime());
  });

  it('does not rescue a renewal whose subscription is paused or cancelled, and holds nothing', async () => {
    for (const [status, paused] of [
      ['paused', false],
      ['past_due', true],
      ['canceled', false],
    ] as const) {
      const w = world();
      const invoice = w.engine.addDeclinedRenewal({ subscriptionStatus: status });
      invoice.renewal = {
        subscription: { ...invoice.renewal.subscription!, collectionPaused: paused },
      } as never;
      const outcome = await runRescueStep(rescueOf(invoice.id), w.ctx);
      assert.equal(outcome.to, 'ineligible', `${status}${paused ? ' (paused)' : ''}`);
      assert.equal(outcome.patch?.ineligibleReason, 'subscription_not_active');
      assert.equal(w.engine.callsTo('holdRetries').length, 0);
    }
  });

  it('after a release with no attempt scheduled, tries the payment once (retry_once, the default)', async () => {
    const w = world('retry_once');
    const invoice = w.engine.addDeclinedRenewal({ autoAdvance: false });
    const releasing = rescueOf(invoice.id, {
      state: 'releasing',
      holdActive: true,
      previousAutoAdvance: true,
    });
    const outcome = await runRescueStep(releasing, w.ctx);
    assert.equal(outcome.to, 'released');
    assert.equal(w.engine.callsTo('retryPaymentOnce').length, 1);
    assert.equal(outcome.patch?.releaseFallback, 'retry_once:failed');
  });

  it('after a release with no attempt scheduled, marks the invoice uncollectible or leaves it, as the merchant chose', async () => {
    const marked = world('mark_uncollectible');
    const a = marked.engine.addDeclinedRenewal({ autoAdvance: false });
    await runRescueStep(rescueOf(a.id, { state: 'releasing', holdActive: true }), marked.ctx);
    assert.equal(marked.engine.invoice(a.id).status, 'uncollectible');

    const left = world('none');
    const b = left.engine.addDeclinedRenewal({ autoAdvance: false });
    const outcome = await runRescueStep(rescueOf(b.id, { state: 'releasing', holdActive: true }), left.ctx);
    assert.equal(left.engine.invoice(b.id).status, 'open');
    assert.equal(left.engine.callsTo('retryPaymentOnce').length, 0);
    assert.equal(outcome.patch?.releaseFallback, 'none');
  });

  it('applies no fallback when the engine scheduled its own next attempt', async () => {
    const w = world('retry_once');
    const invoice = w.engine.addDeclinedRenewal({ autoAdvance: false });
    w.engine.invoice(invoice.id).nextPaymentAttempt = new Date(NOW.getTime() + 3_600_000);
    await runRescueStep(rescueOf(invoice.id, { state: 'releasing', holdActive: true }), w.ctx);
    assert.equal(w.engine.callsTo('retryPaymentOnce').length, 0);
  });

  it('sends an approval whose amount differs from what the invoice owes to a person, not a silent "paid"', async () => {
    const w = world();
    const invoice = w.engine.addDeclinedRenewal();
    const approved = rescueOf(invoice.id, {
      state: 'approved',
      providerOrderId: 'fco_1',
      collected: { amount: 1500, currency: 'EUR' },
    });
    await assert.rejects(runRescueStep(approved, w.ctx), ConflictError);
    assert.equal(w.engine.callsTo('recordRecoveredPayment').length, 0);
  });

  it('does not refund twice: an order that reads refunded is not refunded again', async () => {
    const w = world(undefined, 'refunded');
    const invoice = w.engine.addDeclinedRenewal();
    const order = await w.provider.submitRenewal({
      rescueId: `rsc_${invoice.id}`,
      merchantOrderId: invoice.id,
      renewal: await w.engine.loadRenewalFailure(invoice.id),
      cardToken: 'tok_fake',
      expiresAt: new Date(NOW.getTime() + 21 * 86_400_000),
      flow: 'mit',
      ...SITE,
    });
    assert.equal(order.status, 'submitted');
    const orderId = order.status === 'submitted' ? order.orderId : '';
    w.provider.settle(orderId, 'approved');
    const refunding = rescueOf(invoice.id, { state: 'refunding', providerOrderId: orderId });
    assert.equal((await runRescueStep(refunding, w.ctx)).to, 'conflict');
    assert.equal((await runRescueStep(refunding, w.ctx)).to, 'conflict', 'a replay after a lost answer');
    assert.equal(w.provider.callsTo('refund').length, 1);
  });

  it("records the refund's reference and time, and the refund on the engine's write-back payment", async () => {
    const w = world();
    const invoice = w.engine.addDeclinedRenewal();
    const order = await w.provider.submitRenewal({
      rescueId: `rsc_${invoice.id}`,
      merchantOrderId: invoice.id,
      renewal: await w.engine.loadRenewalFailure(invoice.id),
      cardToken: 'tok_fake',
      expiresAt: new Date(NOW.getTime() + 21 * 86_400_000),
      flow: 'mit',
      ...SITE,
    });
    const orderId = order.status === 'submitted' ? order.orderId : '';
    w.provider.settle(orderId, 'approved');
    const refunding = rescueOf(invoice.id, {
      state: 'refunding',
      providerOrderId: orderId,
      writeBackKey: 'writeback-rsc_1',
      writeBackReference: 'pr_fake_1',
    });
    const outcome = await runRescueStep(refunding, w.ctx);
    assert.equal(outcome.to, 'conflict');
    const refunded = { refundReference: `fake-refund-${orderId}-1`, refundedAt: NOW };
    assert.deepEqual(w.checkpoints, [refunded], 'kept before the engine hears of it');
    assert.equal(outcome.patch?.refundReference, refunded.refundReference);
    assert.deepEqual(w.engine.refunds, [
      {
        rescueId: refunding.id,
        writeBackReference: 'pr_fake_1',
        idempotencyKey: 'writeback-rsc_1',
        amount: { amount: 2900, currency: 'EUR' },
        ...refunded,
      },
    ]);
    // Without a write-back at the engine there is nothing there to record the refund on.
    const w2 = world();
    const other = w2.engine.addDeclinedRenewal();
    const order2 = await w2.provider.submitRenewal({
      rescueId: `rsc_${other.id}`,
      merchantOrderId: other.id,
      renewal: await w2.engine.loadRenewalFailure(other.id),
      cardToken: 'tok_fake',
      expiresAt: new Date(NOW.getTime() + 21 * 86_400_000),
      flow: 'mit',
      ...SITE,
    });
    const orderId2 = order2.status === 'submitted' ? order2.orderId : '';
    w2.provider.settle(orderId2, 'approved');
    await runRescueStep(rescueOf(other.id, { state: 'refunding', providerOrderId: orderId2 }), w2.ctx);
    assert.equal(w2.engine.callsTo('recordRefund').length, 0);
  });

  /** A held rescue with a live order at the fake FlexCharge. */
  async function heldWith(w: ReturnType<typeof world>) {
    const invoice = w.engine.addDeclinedRenewal({ autoAdvance: false });
    const renewal = await w.engine.loadRenewalFailure(invoice.id);
    const decision = await w.provider.submitRenewal({
      rescueId: `rsc_${invoice.id}`,
      merchantOrderId: invoice.id,
      renewal,
      cardToken: 'tok_fake',
      expiresAt: new Date(NOW.getTime() + 21 * 86_400_000),
      flow: 'mit',
      ...SITE,
    });
    const orderId = decision.status === 'submitted' ? decision.orderId : assert.fail('not submitted');
    const rescue = rescueOf(invoice.id, {
      state: 'held',
      providerOrderId: orderId,
      orderOpen: true,
      holdActive: true,
      previousAutoAdvance: true,
      expiresAt: new Date(NOW.getTime() - 2 * 3_600_000),
    });
    return { invoice, orderId, rescue };
  }

  for (const cancelCompleted of ['refuse', 'accept'] as const) {
    it(`at expiry, an order that collected during our cancel is written back, not released (a cancel of a completed order: ${cancelCompleted})`, async () => {
      const w = world('retry_once', undefined, cancelCompleted);
      const { orderId, rescue } = await heldWith(w);
      w.provider.during('cancel', () => w.provider.settle(orderId, 'approved'));
      const outcome = await runRescueStep(rescue, w.ctx);
      assert.equal(outcome.to, 'approved', outcome.note);
      assert.equal(w.engine.callsTo('releaseHold').length, 0, 'the hold stays until the write-back');
    });
  }

  it('at expiry, stops a pending order and releases only once the order reads ended', async () => {
    const w = world();
    const { rescue } = await heldWith(w);
    const outcome = await runRescueStep(rescue, w.ctx);
    assert.equal(outcome.to, 'releasing');
    assert.equal(outcome.patch?.orderOpen, false);
    assert.equal(w.provider.callsTo('cancel').length, 1);
  });

  it('acts on an approval that reaches a parked rescue', async () => {
    const w = world();
    const { orderId, rescue } = await heldWith(w);
    w.provider.settle(orderId, 'approved');
    const outcome = await runRescueStep({ ...rescue, state: 'needs_attention' }, w.ctx);
    assert.equal(outcome.to, 'approved');
  });
});
