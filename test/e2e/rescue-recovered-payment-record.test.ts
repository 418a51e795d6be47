import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { DAY_MS, type E2E, HOUR_MS, startE2E } from './plugin-harness.js';

/** The invoice's payment of type `payment_record`, with the record expanded. */
async function recordPaymentOf(e: E2E, invoiceId: string) {
  const invoice = await e.stripe.invoices.retrieve(invoiceId, {
    expand: ['payments.data.payment.payment_record'],
  });
  const payment = invoice.payments?.data.find((p) => p.payment.type === 'payment_record');
  return { invoice, payment, record: payment?.payment.payment_record as Stripe.PaymentRecord | undefined };
}

describe('a rescued renewal written back as a Stripe Payment Record (STRIPE_WRITE_BACK_MODE=payment_record)', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E({ STRIPE_WRITE_BACK_MODE: 'payment_record' });
  });
  after(() => e.close());

  it('pays the invoice with a payment processed by FlexCharge: its reference, amount and time', async () => {
    const { subscription, paymentMethod } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    assert.equal((await e.rescueFor(invoice.id))?.rescue.state, 'held');

    await e.advance(2 * HOUR_MS);
    const rescue = await e.rescueFor(invoice.id);
    assert.equal(rescue?.rescue.state, 'recovered');
    const orderId = rescue!.rescue.flexcharge.orderId!;

    const { invoice: paid, payment, record } = await recordPaymentOf(e, invoice.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 2900);
    assert.equal(payment?.status, 'paid');
    assert.equal(payment?.amount_paid, 2900);
    const row = await e.rescueRow(invoice.id);
    assert.ok(row.written_back_at);
    assert.equal(
      payment?.status_transitions.paid_at,
      Math.floor(row.written_back_at.getTime() / 1000),
      'paid when the write-back ran',
    );
    assert.ok(record, 'the invoice payment is a Payment Record');
    assert.deepEqual(record.processor_details, { type: 'custom', custom: { payment_reference: orderId } });
    assert.equal(record.payment_method_details?.type, 'custom');
    assert.equal(record.payment_method_details?.custom?.display_name, 'FlexCharge');
    assert.deepEqual(record.amount_guaranteed, { currency: 'eur', value: 2900 });
    assert.equal(record.customer_presence, 'off_session');
    assert.equal(record.metadata.flexcharge_confirmation_id, rescue?.rescue.flexcharge.confirmationId);
    assert.equal(row.write_back_reference, record.id, 'finance finds the record from the rescue');
    assert.equal(paid.metadata?.flexcharge_status, 'recovered');
    assert.equal((await e.stripe.subscriptions.retrieve(subscription.id)).status, 'active');
    // The invoice.paid echo of our own write-back cancelled and refunded nothing.
    assert.equal(e.sandboxCalls('/cancel').length, 0);
    assert.equal(e.sandboxCalls('/refund').length, 0);
  });

  it('records the refund on the same Payment Record when the customer paid before it was attached', async () => {
    const { subscription, paymentMethod, customer } = await e.subscriber();
    await e.declineNextCharges(paymentMethod.id, 'insufficient_funds');
    const invoice = await e.renew(subscription.id);
    const orderId = (await e.rescueFor(invoice.id))!.rescue.flexcharge.orderId!;

    // FlexCharge approves; the record is reported but Stripe fails the attach for a while...
    e.emulator.injectFault({
      method: 'POST',
      path: `/v1/invoices/${invoice.id}/attach_payment`,
      status: 500,
      times: 20,
    });
    await e.advance(2 * HOUR_MS);
    assert.equal((await e.rescueRow(invoice.id)).state, 'approved', 'the write-back waits to be retried');
    // ...and meanwhile the customer pays the invoice with a new card.
    const card = await e.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await e.stripe.invoices.pay(invoice.id, { payment_method: card.id });
    await e.advance(DAY_MS);

    const row = await e.rescueRow(invoice.id);
    assert.equal(row.state, 'conflict', row.last_error ?? '');
    assert.equal(e.sandbox.orders.get(orderId)?.state, 'returned', 'the FlexCharge payment went back');
    assert.match(row.write_back_reference ?? '', /^pr_/);
    assert.ok(row.refund_reference);
    assert.ok(row.refunded_at);
    const record = await e.stripe.paymentRecords.retrieve(row.write_back_reference!);
    assert.deepEqual(record.amount_refunded, { currency: 'eur', value: 2900 }, 'the refund is on the record');
    const { invoice: paid, payment } = await recordPaymentOf(e, invoice.id);
    assert.equal(paid.status, 'paid');
    assert.equal(payment, undefined, 'nothing attached over the customer’s payment');
  });
});
