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

/** A payment FlexCharge took, as a merchant reports it to Stripe. */
function flexchargePayment(
  customer: string,
  over: Partial<Stripe.PaymentRecordReportPaymentParams> = {},
): Stripe.PaymentRecordReportPaymentParams {
  return {
    amount_requested: { currency: 'eur', value: 2900 },
    initiated_at: 1_768_478_400,
    customer_details: { customer },
    customer_presence: 'off_session',
    payment_method_details: { type: 'custom', custom: { display_name: 'FlexCharge' } },
    processor_details: { type: 'custom', custom: { payment_reference: 'fc-order-1' } },
    outcome: 'guaranteed',
    guaranteed: { guaranteed_at: 1_768_482_000 },
    metadata: { flexcharge_order_id: 'fc-order-1' },
    ...over,
  };
}

describe('Stripe emulator: payment records and attach_payment', () => {
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
    assert.equal(renewal?.status, 'open');
    return { ...subscriber, renewal: renewal! };
  }

  it('reports a guaranteed payment by a custom processor, with its reference and amounts', async () => {
    const { customer } = await failedRenewal();
    const record = await h.stripe.paymentRecords.reportPayment(flexchargePayment(customer.id));
    assert.match(record.id, /^pr_/);
    assert.equal(record.object, 'payment_record');
    assert.deepEqual(record.amount_guaranteed, { currency: 'eur', value: 2900 });
    assert.deepEqual(record.amount_refunded, { currency: 'eur', value: 0 });
    assert.deepEqual(record.processor_details, {
      type: 'custom',
      custom: { payment_reference: 'fc-order-1' },
    });
    assert.equal(record.payment_method_details?.type, 'custom');
    assert.equal(record.payment_method_details?.custom?.display_name, 'FlexCharge');
    assert.equal(record.customer_details?.customer, customer.id);
    assert.equal(record.customer_presence, 'off_session');
    assert.equal(record.reported_by, 'self');
    assert.match(record.latest_payment_attempt_record ?? '', /^par_/);
    assert.deepEqual(await h.stripe.paymentRecords.retrieve(record.id), record);
  });

  it('refuses what Stripe refuses: a missing outcome hash, a stray one, no method, an unknown customer', async () => {
    const { customer } = await failedRenewal();
    await assert.rejects(
      h.stripe.paymentRecords.reportPayment(flexchargePayment(customer.id, { guaranteed: undefined })),
      (e: Stripe.errors.StripeError) => e.code === 'parameter_missing' && e.param === 'guaranteed',
    );
    await assert.rejects(
      h.stripe.paymentRecords.reportPayment(
        flexchargePayment(customer.id, { outcome: 'failed', failed: { failed_at: 1_768_482_000 } }),
      ),
      (e: Stripe.errors.StripeError) => e.param === 'guaranteed',
    );
    await assert.rejects(
      h.stripe.paymentRecords.reportPayment(flexchargePayment(customer.id, { payment_method_details: {} })),
      (e: Stripe.errors.StripeError) => e.param === 'payment_method_details',
    );
    await assert.rejects(
      h.stripe.paymentRecords.reportPayment(flexchargePayment('cus_missing', {})),
      (e: Stripe.errors.StripeError) =>
        e.code === 'resource_missing' && e.param === 'customer_details[customer]',
    );
    await assert.rejects(
      h.stripe.paymentRecords.reportPayment(
        flexchargePayment(customer.id, { amount_requested: { currency: 'eur', value: 0 } }),
      ),
      (e: Stripe.errors.StripeError) => e.param === 'amount_requested[value]',
    );
  });

  it('pays the invoice when a guaranteed record is attached: an invoice payment of type payment_record', async () => {
    const { renewal, subscription, customer } = await failedRenewal();
    const record = await h.stripe.paymentRecords.reportPayment(flexchargePayment(customer.id));
    const paid = await h.stripe.invoices.attachPayment(
      renewal.id,
      { payment_record: record.id, expand: ['payments'] },
      { idempotencyKey: `attach-${renewal.id}` },
    );
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 2900);
    assert.equal(paid.amount_remaining, 0);
    const byRecord = paid.payments?.data.find((p) => p.payment.type === 'payment_record');
    assert.equal(byRecord?.payment.payment_record, record.id);
    assert.equal(byRecord?.status, 'paid');
    assert.equal(byRecord?.amount_paid, 2900);
    assert.equal(byRecord?.is_default, false);
    assert.ok(byRecord?.status_transitions.paid_at);
    const listed = await h.stripe.invoicePayments.list({
      payment: { type: 'payment_record', payment_record: record.id },
    });
    assert.deepEqual(
      listed.data.map((p) => p.invoice),
      [renewal.id],
    );
    // Expandable down to the record.
    const expanded = await h.stripe.invoices.retrieve(renewal.id, {
      expand: ['payments.data.payment.payment_record'],
    });
    const expandedRecord = expanded.payments?.data.find((p) => p.payment.type === 'payment_record')?.payment
      .payment_record as Stripe.PaymentRecord;
    assert.equal(expandedRecord.processor_details.custom?.payment_reference, 'fc-order-1');

    const types = h.emulator.events.filter((e) => e.objectId === renewal.id).map((e) => e.type);
    assert.ok(types.includes('invoice.paid'));
    assert.ok(
      h.emulator.events.some((e) => e.type === 'invoice_payment.paid' && e.objectId === byRecord?.id),
    );
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'active');

    // The same key replays the first answer; the record cannot pay a second invoice, nor this one twice.
    const replay = await h.stripe.invoices.attachPayment(
      renewal.id,
      { payment_record: record.id, expand: ['payments'] },
      { idempotencyKey: `attach-${renewal.id}` },
    );
    assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
    await assert.rejects(
      h.stripe.invoices.attachPayment(renewal.id, { payment_record: record.id }),
      /open invoices/,
    );
    const other = await failedRenewal();
    await assert.rejects(
      h.stripe.invoices.attachPayment(other.renewal.id, { payment_record: record.id }),
      /already attached/,
    );
  });

  it('credits a smaller record partially and leaves the invoice open; refuses a larger or foreign-currency one', async () => {
    const { renewal, customer } = await failedRenewal();
    const usd = await h.stripe.paymentRecords.reportPayment(
      flexchargePayment(customer.id, { amount_requested: { currency: 'usd', value: 2900 } }),
    );
    await assert.rejects(h.stripe.invoices.attachPayment(renewal.id, { payment_record: usd.id }), /currency/);
    const tooMuch = await h.stripe.paymentRecords.reportPayment(
      flexchargePayment(customer.id, { amount_requested: { currency: 'eur', value: 3000 } }),
    );
    await assert.rejects(
      h.stripe.invoices.attachPayment(renewal.id, { payment_record: tooMuch.id }),
      /amount remaining/,
    );
    const part = await h.stripe.paymentRecords.reportPayment(
      flexchargePayment(customer.id, { amount_requested: { currency: 'eur', value: 900 } }),
    );
    const partly = await h.stripe.invoices.attachPayment(renewal.id, { payment_record: part.id });
    assert.equal(partly.status, 'open');
    assert.equal(partly.amount_paid, 900);
    assert.equal(partly.amount_remaining, 2000);
    await assert.rejects(
      h.stripe.invoices.attachPayment(renewal.id, { payment_record: 'pr_missing' }),
      (e: Stripe.errors.StripeError) => e.code === 'resource_missing' && e.param === 'payment_record',
    );
  });

  it('records a refund against the record, once per reference and never beyond what was paid', async () => {
    const { renewal, customer } = await failedRenewal();
    const record = await h.stripe.paymentRecords.reportPayment(flexchargePayment(customer.id));
    await h.stripe.invoices.attachPayment(renewal.id, { payment_record: record.id });
    const refund = {
      outcome: 'refunded' as const,
      processor_details: { type: 'custom' as const, custom: { refund_reference: `fc-refund-${record.id}` } },
      refunded: { refunded_at: 1_768_500_000 },
      amount: { currency: 'eur', value: 2900 },
    };
    const refunded = await h.stripe.paymentRecords.reportRefund(record.id, refund, {
      idempotencyKey: `refund-${record.id}`,
    });
    assert.deepEqual(refunded.amount_refunded, { currency: 'eur', value: 2900 });
    assert.deepEqual(refunded.amount_guaranteed, { currency: 'eur', value: 2900 });
    // Replayed under its key; a new reference finds nothing left, a reused one is refused.
    const replay = await h.stripe.paymentRecords.reportRefund(record.id, refund, {
      idempotencyKey: `refund-${record.id}`,
    });
    assert.deepEqual(replay.amount_refunded, { currency: 'eur', value: 2900 });
    await assert.rejects(
      h.stripe.paymentRecords.reportRefund(record.id, {
        ...refund,
        processor_details: { type: 'custom', custom: { refund_reference: 'another' } },
      }),
      /greater than the unrefunded amount/,
    );
    const second = await h.stripe.paymentRecords.reportPayment(flexchargePayment(customer.id));
    await assert.rejects(h.stripe.paymentRecords.reportRefund(second.id, refund), /already reported/);
    await assert.rejects(
      h.stripe.paymentRecords.reportRefund(second.id, {
        outcome: 'refunded',
        processor_details: { type: 'custom', custom: { refund_reference: 'r-2' } },
      } as Stripe.PaymentRecordReportRefundParams),
      (e: Stripe.errors.StripeError) => e.code === 'parameter_missing' && e.param === 'refunded',
    );
    // The invoice stays paid: a refund reported to Stripe changes the record, not the invoice.
    assert.equal((await h.stripe.invoices.retrieve(renewal.id)).status, 'paid');
  });
});
