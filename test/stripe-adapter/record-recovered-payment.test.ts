import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RecoveredPayment } from '../../plugin/core/billing-engine.js';
import {
  type AdapterHarness,
  DAY_MS,
  eventsOf,
  failedRenewal,
  setCardBehavior,
  startAdapterHarness,
  verified,
} from './support.js';

describe('Stripe adapter: recordRecoveredPayment', () => {
  let h: AdapterHarness;
  beforeEach(async () => {
    h = await startAdapterHarness();
  });
  afterEach(() => h.close());

  const rescued = (rescueId = 'rsc_1'): RecoveredPayment => ({
    rescueId,
    idempotencyKey: `writeback-${rescueId}`,
    amount: { amount: 2900, currency: 'EUR' },
    providerOrderId: 'ord_123',
    confirmationId: 'conf_456',
    recoveredAt: h.clock.now(),
    initiatedAt: h.clock.now(),
    collectedAt: h.clock.now(),
  });

  async function heldRenewal() {
    const failed = await failedRenewal(h);
    await h.adapter.holdRetries(failed.renewal.id, {
      rescueId: 'rsc_1',
      until: new Date(h.clock.now().getTime() + 7 * DAY_MS),
    });
    return failed;
  }

  it('marks the invoice paid out of band with our metadata, creating no charge', async () => {
    const { renewal, subscription, customer } = await heldRenewal();
    const payment = rescued();
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, payment)).outcome, 'recorded');

    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.amount_remaining, 0);
    assert.deepEqual(invoice.metadata, {
      flexcharge_status: 'recovered',
      flexcharge_rescue_id: 'rsc_1',
      flexcharge_hold_until: invoice.metadata?.flexcharge_hold_until,
      flexcharge_previous_auto_advance: 'true',
      flexcharge_order_id: 'ord_123',
      flexcharge_confirmation_id: 'conf_456',
      flexcharge_amount: '2900',
      flexcharge_currency: 'EUR',
      flexcharge_recovered_at: payment.recoveredAt.toISOString(),
    });
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'active');
    const charges = await h.stripe.charges.list({ customer: customer.id });
    assert.deepEqual(
      charges.data.map((c) => c.status),
      ['failed', 'succeeded'],
      'only the declined renewal and the first payment',
    );
    const paid = eventsOf(h, 'invoice.paid', renewal.id);
    assert.equal(paid.length, 1);
    assert.equal(paid[0]?.idempotencyKey, rescued().idempotencyKey, "paid under the write-back's own key");
    assert.deepEqual(await h.adapter.invoiceStatus(renewal.id), {
      invoiceId: renewal.id,
      status: 'paid',
      autoAdvance: false,
      paidByRescueId: 'rsc_1',
      subscriptionStatus: 'active',
      subscriptionPaused: false,
      amountRemaining: { amount: 0, currency: 'EUR' },
      nextPaymentAttempt: null,
    });
  });

  it('recognises the invoice.paid echo of its own write-back: byRescueId is our rescue id', async () => {
    const { renewal } = await heldRenewal();
    await h.adapter.recordRecoveredPayment(renewal.id, rescued());
    const [echo] = eventsOf(h, 'invoice.paid', renewal.id);
    assert.ok(echo);
    const metadata = (echo.event.data.object as { metadata: Record<string, string> }).metadata;
    assert.equal(metadata.flexcharge_status, 'recovering', 'stamped before the invoice was paid');
    assert.deepEqual(h.adapter.normalize(verified(h, echo)), {
      kind: 'invoice_paid',
      invoiceId: renewal.id,
      byRescueId: 'rsc_1',
    });
  });

  it('is idempotent: a second call reports already_recorded and pays nothing twice', async () => {
    const { renewal } = await heldRenewal();
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, rescued())).outcome, 'recorded');
    h.clock.advance(60_000);
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, rescued())).outcome, 'already_recorded');
    assert.equal(eventsOf(h, 'invoice.paid', renewal.id).length, 1);
  });

  it('finishes a write-back interrupted between paying and the final stamp', async () => {
    const { renewal } = await heldRenewal();
    await h.stripe.invoices.update(renewal.id, {
      metadata: { flexcharge_status: 'recovering', flexcharge_rescue_id: 'rsc_1' },
    });
    // Our pay went through under the write-back's key; the process died before the final stamp.
    await h.stripe.invoices.pay(
      renewal.id,
      { paid_out_of_band: true },
      { idempotencyKey: rescued().idempotencyKey },
    );
    h.clock.advance(5 * 60_000);
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, rescued())).outcome, 'already_recorded');
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.metadata?.flexcharge_status, 'recovered');
    assert.equal(eventsOf(h, 'invoice.paid', renewal.id).length, 1);
  });

  it('does not take an out-of-band payment a person made after our failed write-back for its own', async () => {
    const { renewal } = await heldRenewal();
    // Our call fails before Stripe acts on it...
    h.emulator.injectFault({ method: 'POST', path: `/v1/invoices/${renewal.id}/pay`, status: 500, times: 1 });
    await assert.rejects(h.adapter.recordRecoveredPayment(renewal.id, rescued()));
    const stamped = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(stamped.metadata?.flexcharge_rescue_id, 'rsc_1', 'our write-back label is on the invoice');
    // ...and a person marks the invoice paid out of band meanwhile.
    await h.stripe.invoices.pay(renewal.id, { paid_out_of_band: true });
    h.clock.advance(5 * 60_000);
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, rescued())).outcome, 'paid_elsewhere');
  });

  it('reports paid_elsewhere when the customer paid first', async () => {
    const { renewal, paymentMethod } = await heldRenewal();
    await setCardBehavior(h, paymentMethod.id, null);
    await h.stripe.invoices.pay(renewal.id);
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, rescued())).outcome, 'paid_elsewhere');
    const invoice = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(invoice.metadata?.flexcharge_status, 'held', 'nothing written');
    assert.equal((await h.adapter.invoiceStatus(renewal.id)).paidByRescueId, null);
  });

  it('does not take a customer payment that raced the write-back for its own', async () => {
    const { renewal, paymentMethod } = await heldRenewal();
    await h.stripe.invoices.update(renewal.id, {
      metadata: { flexcharge_status: 'recovering', flexcharge_rescue_id: 'rsc_1' },
    });
    await setCardBehavior(h, paymentMethod.id, null);
    await h.stripe.invoices.pay(renewal.id);
    assert.equal((await h.adapter.invoiceStatus(renewal.id)).paidByRescueId, null);
    assert.equal((await h.adapter.recordRecoveredPayment(renewal.id, rescued())).outcome, 'paid_elsewhere');
  });

  it('reports paid_elsewhere for a void or uncollectible invoice, and for one another rescue wrote back', async () => {
    const first = await heldRenewal();
    await h.stripe.invoices.voidInvoice(first.renewal.id);
    assert.equal(
      (await h.adapter.recordRecoveredPayment(first.renewal.id, rescued())).outcome,
      'paid_elsewhere',
    );

    const second = await heldRenewal();
    await h.stripe.invoices.markUncollectible(second.renewal.id);
    assert.equal(
      (await h.adapter.recordRecoveredPayment(second.renewal.id, rescued())).outcome,
      'paid_elsewhere',
    );

    const third = await heldRenewal();
    assert.equal(
      (await h.adapter.recordRecoveredPayment(third.renewal.id, rescued('rsc_other'))).outcome,
      'recorded',
    );
    assert.equal(
      (await h.adapter.recordRecoveredPayment(third.renewal.id, rescued('rsc_1'))).outcome,
      'paid_elsewhere',
    );
  });
});
