import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import type { ProviderForUse } from '../../plugin/core/merchant-runtime.js';
import { ADMIN_TOKEN, DAY_MS, type E2E, HOUR_MS, startE2E } from './plugin-harness.js';

/** Another instance's worker, acting through `provider` (a FlexCharge that races us). */
function otherWorker(e: E2E, workerId: string, provider: ProviderForUse) {
  return e.anotherWorker(workerId, { provider });
}

describe('a parked rescue keeps its obligations', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String((3 * DAY_MS) / 1000) });
  });
  afterEach(() => e.close());

  it('keeps honouring a parked rescue: the customer pays, so its live FlexCharge order is stopped', async () => {
    const { invoice, customer } = await e.declinedRenewal();
    await e.settle();
    const held = await e.rescueRow(invoice.id);
    const orderId = held.flexcharge_order_id!;
    // Reading the order fails for good (a 403 needs a person), so the rescue parks.
    e.sandbox.injectFault({ path: `/v1/orders/${orderId}`, status: 403, times: 1 });
    e.sandbox.injectFault({ path: '/v1/outcome', status: 403, times: 1 });
    e.clock.advance(7 * HOUR_MS);
    await e.plugin.worker.drain(1);
    const parked = await e.rescueRow(invoice.id);
    assert.equal(parked.state, 'needs_attention');
    assert.equal(parked.order_open, true);
    assert.equal(parked.hold_active, true);
    const listed = await request(e.plugin.url)
      .get('/admin/rescues?state=needs_attention')
      .auth(ADMIN_TOKEN, { type: 'bearer' });
    assert.deepEqual(
      listed.body.rescues.find((r: { invoiceId: string }) => r.invoiceId === invoice.id)?.liveObligations,
      { holdOnInvoice: true, flexchargeOrderOpen: true },
      'the support queue shows what the parked rescue still owes',
    );

    const card = await e.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await e.stripe.invoices.pay(invoice.id, { payment_method: card.id });
    await e.settle();
    const after = await e.rescueRow(invoice.id);
    assert.equal(after.state, 'needs_attention', 'still waits for a person');
    assert.equal(after.order_open, false, after.last_error ?? '');
    assert.equal(
      e.sandbox.orders.get(orderId)?.state,
      'cancelled',
      'FlexCharge stopped working a paid invoice',
    );
  });

  it('releases a parked rescue’s hold at expiry whatever its state', async () => {
    const { invoice } = await e.declinedRenewal();
    await e.settle();
    const held = await e.rescueRow(invoice.id);
    await e.database.db
      .updateTable('flexcharge_mit.rescues')
      .set({ state: 'needs_attention', state_before_attention: 'held', next_action_at: null })
      .where('id', '=', held.id)
      .execute();
    await e.advance(2 * DAY_MS);
    assert.equal((await e.stripe.invoices.retrieve(invoice.id)).auto_advance, false, 'held until expiry');
    await e.advance(20 * DAY_MS);
    const after = await e.rescueRow(invoice.id);
    assert.equal(after.hold_active, false);
    const released = await e.stripe.invoices.retrieve(invoice.id);
    assert.ok(released.status !== 'open' || released.auto_advance, 'given back to Stripe’s dunning');
  });
});

describe('an approval is never ignored', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: String((2 * DAY_MS) / 1000) });
  });
  afterEach(() => e.close());

  it('writes back an approval that comes after the rescue was released', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    const held = await e.rescueRow(invoice.id);
    assert.equal(held.state, 'held');
    // FlexCharge wrongly reports the order expired (it is still working it): the rescue releases.
    e.sandbox.injectFault({
      path: '/v1/orders/*',
      status: 200,
      body: { id: held.flexcharge_order_id, status: 2, statusName: 'CANCELLED' },
    });
    e.sandbox.injectFault({ path: '/v1/outcome', status: 200, body: { status: 'EXPIRED', success: true } });
    e.clock.advance(7 * HOUR_MS);
    await e.settle();
    assert.equal((await e.rescueRow(invoice.id)).state, 'released');

    // Then FlexCharge collects and says so.
    await e.advance(2 * DAY_MS);
    const after = await e.rescueRow(invoice.id);
    assert.equal(after.state, 'recovered', 'the late approval was written back');
    const paid = await e.stripe.invoices.retrieve(invoice.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.metadata?.flexcharge_status, 'recovered');
  });

  it('reads the order again after a cancel: FlexCharge collected just before it, so the payment is refunded', async () => {
    const { subscription, paymentMethod, customer } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    const orderId = (await e.rescueRow(invoice.id)).flexcharge_order_id!;
    const real = await e.defaultProvider();
    // FlexCharge completes the order while our cancel is on its way. Whether it then refuses the
    // cancel or accepts it and changes nothing is not documented (the E2E profiles play both).
    const racing: ProviderForUse = Object.assign(Object.create(real), {
      acceptsAmount: real.acceptsAmount.bind(real),
      async cancel(id: string, key: string) {
        e.clock.advance(2 * DAY_MS + 60_000);
        await e.sandbox.runDue();
        assert.equal(e.sandbox.orders.get(id)?.state, 'completed');
        return real.cancel(id, key);
      },
    });
    e.sandbox.setWebhook(undefined);
    const card = await e.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await e.stripe.invoices.pay(invoice.id, { payment_method: card.id });
    await e.emulator.runDue();
    await otherWorker(e, 'worker-r', racing).drain(10);

    const after = await e.rescueRow(invoice.id);
    assert.equal(after.state, 'conflict', after.last_error ?? '');
    assert.equal(e.sandbox.orders.get(orderId)?.state, 'returned', 'the FlexCharge payment went back');
    assert.equal(e.sandboxCalls('/refund').length, 1);
    const paid = await e.stripe.invoices.retrieve(invoice.id);
    assert.notEqual(
      paid.metadata?.flexcharge_status,
      'recovered',
      'nothing written over the customer’s payment',
    );
  });

  it('follows an order whose evaluate answer was lost, as soon as FlexCharge’s webhook names it', async () => {
    await e.close();
    e = await startE2E({ SANDBOX_DECISION_DELAY_SECONDS: '3600' });
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    // FlexCharge took the evaluate, but the process died before its answer was recorded: the rescue
    // knows an order may exist (order_open), not its id, and its retry waits on the backoff.
    const handedOver = await e.rescueRow(invoice.id);
    await e.database.db
      .updateTable('flexcharge_mit.rescues')
      .set({
        state: 'evaluating',
        flexcharge_order_id: null,
        order_open: true,
        next_action_at: new Date(e.clock.now().getTime() + DAY_MS),
      })
      .where('id', '=', handedOver.id)
      .execute();

    // FlexCharge decides an hour later and says so in its webhook.
    await e.advance(HOUR_MS + 60_000);
    const after = await e.rescueRow(invoice.id);
    assert.equal(after.flexcharge_order_id, handedOver.flexcharge_order_id, 'the order named by its webhook');
    assert.equal(after.state, 'recovered', after.last_error ?? '');
    assert.equal((await e.stripe.invoices.retrieve(invoice.id)).status, 'paid');
    assert.equal(e.sandboxCalls('/v1/evaluate').length, 1, 'no second evaluate was needed');
  });
});
