import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DEFAULT_READ_CACHE_TTL_MS, SAME_MOMENT_MS } from '../../adapters/stripe/read-cache.js';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import {
  type AdapterHarness,
  DAY_MS,
  type FailedRenewal,
  failedRenewal,
  passPeriodEnd,
  setCardBehavior,
  startAdapterHarness,
  WEBHOOK_SECRET,
} from './support.js';

describe('Stripe adapter: what one load read serves the next', () => {
  let h: AdapterHarness;
  let failed: FailedRenewal;
  beforeEach(async () => {
    h = await startAdapterHarness();
    failed = await failedRenewal(h);
  });
  afterEach(() => h.close());

  /** The same adapter's view with nothing kept: every read goes to Stripe. */
  const uncached = () =>
    createStripeBillingAdapter({
      stripe: h.stripe,
      webhookSecret: WEBHOOK_SECRET,
      clock: h.clock,
      readCacheTtlMs: 0,
    });
  const counted = async <T>(run: () => Promise<T>) => {
    h.emulator.requests.reset();
    const result = await run();
    return { result, requests: h.emulator.requests.snapshot(), total: h.emulator.requests.total() };
  };

  it('loads a renewal as reading everything afresh would', async () => {
    const fresh = await uncached().loadRenewalFailure(failed.renewal.id);
    assert.deepEqual(await h.adapter.loadRenewalFailure(failed.renewal.id), fresh);
    assert.deepEqual(await h.adapter.loadRenewalFailure(failed.renewal.id), fresh, 'from the cache too');
  });

  it('loads again with one request, the invoice, and sees what changed on it meanwhile', async () => {
    // As a rescue step loads it: who made the attempt comes from the failure's webhook.
    const origin = { engineInitiated: true };
    const first = await h.adapter.loadRenewalFailure(failed.renewal.id, origin);
    await h.stripe.invoices.update(failed.renewal.id, { metadata: { order_channel: 'call_center' } });
    const again = await counted(() => h.adapter.loadRenewalFailure(failed.renewal.id, origin));
    assert.deepEqual(again.requests, { 'GET /v1/invoices/:id': 1 });
    assert.equal(again.result.context.orderSource, 'call_center');
    assert.deepEqual({ ...again.result, context: first.context }, first);
  });

  it('reads whether the invoice is still open afresh every time', async () => {
    await h.adapter.loadRenewalFailure(failed.renewal.id);
    await h.stripe.invoices.pay(failed.renewal.id, { paid_out_of_band: true });
    assert.equal((await h.adapter.loadRenewalFailure(failed.renewal.id)).invoiceStatus, 'paid');
    assert.equal((await h.adapter.invoiceStatus(failed.renewal.id)).status, 'paid');
  });

  it('reads it all again once the TTL has passed on the plugin clock', async () => {
    const cold = await counted(() => h.adapter.loadRenewalFailure(failed.renewal.id));
    h.clock.advance(DEFAULT_READ_CACHE_TTL_MS);
    const later = await counted(() => h.adapter.loadRenewalFailure(failed.renewal.id));
    assert.deepEqual(later.requests, cold.requests);
    assert.ok(later.total > 1, JSON.stringify(later.requests));
  });

  it('reports the failed charge to /transmit from the load, as reading it afresh would', async () => {
    const { failedPayment } = await h.adapter.loadRenewalFailure(failed.renewal.id);
    assert.ok(failedPayment.chargeId);
    const chargeId = failedPayment.chargeId;
    const report = await counted(() => h.adapter.loadCharge(chargeId));
    assert.equal(report.total, 0, JSON.stringify(report.requests));
    assert.deepEqual(report.result, await uncached().loadCharge(chargeId));
  });

  it('tells the status of the invoice and its subscription in one request', async () => {
    const snapshot = await counted(() => h.adapter.invoiceStatus(failed.renewal.id));
    assert.deepEqual(snapshot.requests, { 'GET /v1/invoices/:id': 1 });
    assert.equal(snapshot.result.subscriptionStatus, 'past_due');
  });

  it('holds with the read of the same moment and answers with the status Stripe gave the hold', async () => {
    await h.adapter.invoiceStatus(failed.renewal.id);
    const until = new Date(h.clock.now().getTime() + 7 * DAY_MS);
    const held = await counted(() => h.adapter.holdRetries(failed.renewal.id, { rescueId: 'rsc_1', until }));
    assert.deepEqual(held.requests, { 'POST /v1/invoices/:id': 1 });
    assert.deepEqual(held.result, { previousAutoAdvance: true, invoiceStatus: 'open' });
  });

  it("hands over right after the hold with no read of its own: Stripe's answer to the hold is that read", async () => {
    const origin = { engineInitiated: true };
    await h.adapter.loadRenewalFailure(failed.renewal.id, origin);
    const until = new Date(h.clock.now().getTime() + 7 * DAY_MS);
    await h.adapter.holdRetries(failed.renewal.id, { rescueId: 'rsc_1', until });
    const handOver = await counted(() => h.adapter.loadRenewalFailure(failed.renewal.id, origin));
    assert.equal(handOver.total, 0, JSON.stringify(handOver.requests));
    assert.deepEqual(handOver.result, await uncached().loadRenewalFailure(failed.renewal.id, origin));
  });

  it('reads the invoice again once the hold is older than the same moment, or after another write', async () => {
    const origin = { engineInitiated: true };
    await h.adapter.loadRenewalFailure(failed.renewal.id, origin);
    const until = new Date(h.clock.now().getTime() + 7 * DAY_MS);
    await h.adapter.holdRetries(failed.renewal.id, { rescueId: 'rsc_1', until });
    h.clock.advance(SAME_MOMENT_MS);
    const later = await counted(() => h.adapter.loadRenewalFailure(failed.renewal.id, origin));
    assert.deepEqual(later.requests, { 'GET /v1/invoices/:id': 1 });

    await h.adapter.holdRetries(failed.renewal.id, { rescueId: 'rsc_2', until });
    await h.adapter.releaseHold(failed.renewal.id, {
      rescueId: 'rsc_2',
      restoreAutoAdvance: true,
      reason: 'test',
    });
    const afterRelease = await counted(() => h.adapter.loadRenewalFailure(failed.renewal.id, origin));
    assert.deepEqual(afterRelease.requests, { 'GET /v1/invoices/:id': 1 });
  });

  it('reads the invoice again for a hold when its last read is older than the same moment', async () => {
    await h.adapter.invoiceStatus(failed.renewal.id);
    await h.stripe.invoices.update(failed.renewal.id, { auto_advance: false });
    h.clock.advance(SAME_MOMENT_MS);
    const until = new Date(h.clock.now().getTime() + 7 * DAY_MS);
    const held = await h.adapter.holdRetries(failed.renewal.id, { rescueId: 'rsc_1', until });
    assert.deepEqual(held, { previousAutoAdvance: false, invoiceStatus: 'open' });
  });

  it('reads the invoice again for a release after its own hold wrote it', async () => {
    const until = new Date(h.clock.now().getTime() + 7 * DAY_MS);
    await h.adapter.holdRetries(failed.renewal.id, { rescueId: 'rsc_1', until });
    const released = await counted(() =>
      h.adapter.releaseHold(failed.renewal.id, {
        rescueId: 'rsc_1',
        restoreAutoAdvance: true,
        reason: 'test',
      }),
    );
    assert.deepEqual(released.requests, { 'GET /v1/invoices/:id': 1, 'POST /v1/invoices/:id': 1 });
    assert.equal((await h.stripe.invoices.retrieve(failed.renewal.id)).auto_advance, true);
  });

  it('shares the plan among the renewals of a burst: the second one reads no product', async () => {
    const price = await h.stripe.prices.create({
      currency: 'eur',
      unit_amount: 2900,
      recurring: { interval: 'month' },
      product_data: { name: 'Shared plan' },
    });
    const renewals: string[] = [];
    const subscriptions: string[] = [];
    for (const name of ['Ann', 'Bob']) {
      const customer = await h.stripe.customers.create({ name });
      const pm = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
      subscriptions.push(
        (await h.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] })).id,
      );
      await setCardBehavior(h, pm.id, 'insufficient_funds');
    }
    await passPeriodEnd(h, subscriptions[0] ?? '');
    for (const subscription of subscriptions) {
      const invoices = await h.stripe.invoices.list({ subscription });
      const renewal = invoices.data.find((inv) => inv.billing_reason === 'subscription_cycle');
      assert.ok(renewal);
      renewals.push(renewal.id);
    }
    const origin = { engineInitiated: true };
    const first = await counted(() => h.adapter.loadRenewalFailure(renewals[0] ?? '', origin));
    const second = await counted(() => h.adapter.loadRenewalFailure(renewals[1] ?? '', origin));
    assert.equal(first.requests['GET /v1/products/:id'], 1);
    assert.equal(second.requests['GET /v1/products/:id'], undefined);
    assert.equal(second.total, first.total - 1, JSON.stringify(second.requests));
  });

  it('keeps nothing with readCacheTtlMs 0', async () => {
    const adapter = uncached();
    const first = await counted(() => adapter.loadRenewalFailure(failed.renewal.id));
    const second = await counted(() => adapter.loadRenewalFailure(failed.renewal.id));
    assert.deepEqual(second.requests, first.requests);
  });
});
