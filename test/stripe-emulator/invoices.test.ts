import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import {
  type Harness,
  invoicesOf,
  passPeriodEnd,
  setCardBehavior,
  startHarness,
  subscribe,
} from './support.js';

describe('Stripe emulator: invoices', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function failedRenewal() {
    const subscriber = await subscribe(h.stripe);
    await setCardBehavior(h, subscriber.paymentMethod.id, 'insufficient_funds');
    await passPeriodEnd(h, subscriber.subscription.id);
    const [renewal] = await invoicesOf(h.stripe, subscriber.subscription.id);
    assert.ok(renewal);
    return { ...subscriber, renewal };
  }

  it('pays out of band without a charge and emits invoice.paid carrying the request id', async () => {
    const { renewal, subscription, customer } = await failedRenewal();
    const chargesBefore = (await h.stripe.charges.list({ customer: customer.id })).data.length;

    const paid = await h.stripe.invoices.pay(
      renewal.id,
      { paid_out_of_band: true },
      { idempotencyKey: `writeback-${renewal.id}` },
    );
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 2900);
    assert.equal(paid.amount_remaining, 0);
    assert.equal(paid.next_payment_attempt, null);
    assert.equal((await h.stripe.charges.list({ customer: customer.id })).data.length, chargesBefore);

    const event = h.emulator.events.find((e) => e.type === 'invoice.paid' && e.objectId === renewal.id);
    assert.ok(event?.requestId?.startsWith('req_'));
    assert.equal(event?.idempotencyKey, `writeback-${renewal.id}`);
    assert.ok(
      !h.emulator.events.some((e) => e.type === 'invoice.payment_succeeded' && e.objectId === renewal.id),
    );
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'active');

    const payments = await h.stripe.invoicePayments.list({ invoice: renewal.id });
    assert.equal(payments.data[0]?.status, 'canceled');
    await assert.rejects(h.stripe.invoices.pay(renewal.id, { paid_out_of_band: true }), /already paid/);
  });

  it('refuses to change auto_advance on a paid invoice, like Stripe', async () => {
    const { subscription } = await subscribe(h.stripe);
    const [first] = await invoicesOf(h.stripe, subscription.id);
    await assert.rejects(
      h.stripe.invoices.update(first?.id ?? '', { auto_advance: false }),
      (error: Stripe.errors.StripeError) =>
        error.type === 'StripeInvalidRequestError' && error.code === 'invoice_not_editable',
    );
    const updated = await h.stripe.invoices.update(first?.id ?? '', {
      metadata: { note: 'metadata is fine' },
    });
    assert.equal(updated.metadata?.note, 'metadata is fine');
  });

  it('answers a declined manual pay with a StripeCardError without counting it as a retry', async () => {
    const { renewal } = await failedRenewal();
    await assert.rejects(h.stripe.invoices.pay(renewal.id), (error: Stripe.errors.StripeError) => {
      return error.type === 'StripeCardError' && error.decline_code === 'insufficient_funds';
    });
    const after = await h.stripe.invoices.retrieve(renewal.id);
    assert.equal(after.attempt_count, 1);
    assert.equal(after.next_payment_attempt, renewal.next_payment_attempt);
    const manual = h.emulator.events.filter(
      (e) => e.type === 'invoice.payment_failed' && e.objectId === renewal.id,
    );
    assert.deepEqual(
      manual.map((e) => e.requestId === null),
      [true, false],
    );
  });

  it('voids an invoice and marks another uncollectible, with their events', async () => {
    const a = await failedRenewal();
    const voided = await h.stripe.invoices.voidInvoice(a.renewal.id);
    assert.equal(voided.status, 'void');
    assert.ok(h.emulator.events.some((e) => e.type === 'invoice.voided' && e.objectId === a.renewal.id));

    const b = await failedRenewal();
    const gone = await h.stripe.invoices.markUncollectible(b.renewal.id);
    assert.equal(gone.status, 'uncollectible');
    assert.equal(gone.auto_advance, false);
    assert.ok(
      h.emulator.events.some((e) => e.type === 'invoice.marked_uncollectible' && e.objectId === b.renewal.id),
    );
    assert.equal((await h.stripe.subscriptions.retrieve(b.subscription.id)).status, 'active');
  });

  it('links invoices and PaymentIntents through invoice_payments and expands them', async () => {
    const { subscription } = await subscribe(h.stripe);
    const [first] = await invoicesOf(h.stripe, subscription.id);
    const invoice = await h.stripe.invoices.retrieve(first?.id ?? '', {
      expand: ['payments.data.payment.payment_intent'],
    });
    const payment = invoice.payments?.data[0];
    assert.equal(payment?.object, 'invoice_payment');
    assert.equal(payment?.status, 'paid');
    const pi = payment?.payment.payment_intent as Stripe.PaymentIntent;
    assert.equal(pi.status, 'succeeded');
    const withCharge = await h.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal((withCharge.latest_charge as Stripe.Charge).status, 'succeeded');

    const reverse = await h.stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: pi.id },
    });
    assert.equal(reverse.data[0]?.invoice, invoice.id);
    await assert.rejects(
      h.stripe.invoices.retrieve(invoice.id, { expand: ['currency'] }),
      /cannot be expanded/,
    );
    await assert.rejects(
      h.stripe.invoices.retrieve(invoice.id, {
        expand: ['payments.data.payment.payment_intent.latest_charge'],
      }),
      /more than 4 levels/,
    );
  });

  it('lists invoices newest first with filters and cursor pagination', async () => {
    const { customer, subscription } = await subscribe(h.stripe);
    await passPeriodEnd(h, subscription.id);
    await passPeriodEnd(h, subscription.id);
    const all = await h.stripe.invoices.list({ customer: customer.id });
    assert.deepEqual(
      all.data.map((i) => i.billing_reason),
      ['subscription_cycle', 'subscription_cycle', 'subscription_create'],
    );
    const page1 = await h.stripe.invoices.list({ customer: customer.id, limit: 2 });
    assert.equal(page1.has_more, true);
    const page2 = await h.stripe.invoices.list({
      customer: customer.id,
      limit: 2,
      starting_after: page1.data[1]?.id,
    });
    assert.equal(page2.has_more, false);
    assert.equal(page2.data[0]?.id, all.data[2]?.id);
    const open = await h.stripe.invoices.list({ customer: customer.id, status: 'open' });
    assert.equal(open.data.length, 0);
    const ids: string[] = [];
    for await (const invoice of h.stripe.invoices.list({ customer: customer.id, limit: 1 }))
      ids.push(invoice.id);
    assert.deepEqual(
      ids,
      all.data.map((i) => i.id),
    );
  });
});
