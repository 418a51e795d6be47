import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createStripeBillingAdapter } from '../../adapters/stripe/stripe-billing-adapter.js';
import type {
  BillingEngineAdapter,
  RecordedRefund,
  RecoveredPayment,
} from '../../plugin/core/billing-engine.js';
import {
  type AdapterHarness,
  DAY_MS,
  eventsOf,
  failedRenewal,
  startAdapterHarness,
  WEBHOOK_SECRET,
} from './support.js';

const INITIATED = new Date('2026-01-15T12:00:00Z');
const COLLECTED = new Date('2026-01-17T08:30:00Z');

describe('Stripe adapter: write-back as a Payment Record', () => {
  let h: AdapterHarness;
  let adapter: BillingEngineAdapter;
  beforeEach(async () => {
    h = await startAdapterHarness();
    adapter = createStripeBillingAdapter({
      stripe: h.stripe,
      webhookSecret: WEBHOOK_SECRET,
      clock: h.clock,
      writeBackMode: 'payment_record',
    });
  });
  afterEach(() => h.close());

  const rescued = (rescueId = 'rsc_1'): RecoveredPayment => ({
    rescueId,
    idempotencyKey: `writeback-${rescueId}`,
    amount: { amount: 2900, currency: 'EUR' },
    providerOrderId: 'ord_123',
    confirmationId: 'conf_456',
    recoveredAt: h.clock.now(),
    initiatedAt: INITIATED,
    collectedAt: COLLECTED,
  });

  const refundOf = (writeBackReference: string): RecordedRefund => ({
    rescueId: 'rsc_1',
    writeBackReference,
    idempotencyKey: 'writeback-rsc_1',
    amount: { amount: 2900, currency: 'EUR' },
    refundReference: 'fc-refund-1',
    refundedAt: new Date('2026-01-18T10:00:00Z'),
  });

  async function heldRenewal() {
    const failed = await failedRenewal(h);
    await adapter.holdRetries(failed.renewal.id, {
      rescueId: 'rsc_1',
      until: new Date(h.clock.now().getTime() + 7 * DAY_MS),
    });
    return failed;
  }

  it('pays the invoice with a payment processed by FlexCharge, its reference, amount and time', async () => {
    const { renewal, subscription, customer } = await heldRenewal();
    const result = await adapter.recordRecoveredPayment(renewal.id, rescued());
    assert.equal(result.outcome, 'recorded');
    assert.match(result.reference ?? '', /^pr_/);

    const invoice = await h.stripe.invoices.retrieve(renewal.id, {
      expand: ['payments.data.payment.payment_record'],
    });
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.amount_paid, 2900);
    assert.equal(invoice.metadata?.flexcharge_status, 'recovered');
    assert.equal(invoice.metadata?.flexcharge_order_id, 'ord_123');
    const byRecord = invoice.payments?.data.find((p) => p.payment.type === 'payment_record');
    assert.equal(byRecord?.status, 'paid');
    assert.equal(byRecord?.amount_paid, 2900);
    const record = await h.stripe.paymentRecords.retrieve(result.reference!);
    assert.deepEqual(
      (byRecord?.payment.payment_record as { id: string } | undefined)?.id,
      record.id,
      'the invoice payment is the reported record',
    );
    assert.deepEqual(record.processor_details, { type: 'custom', custom: { payment_reference: 'ord_123' } });
    assert.equal(record.payment_method_details?.custom?.display_name, 'FlexCharge');
    assert.deepEqual(record.amount_guaranteed, { currency: 'eur', value: 2900 });
    assert.equal(record.customer_details?.customer, customer.id);
    assert.equal(record.customer_presence, 'off_session');
    assert.equal(record.metadata.flexcharge_confirmation_id, 'conf_456');
    assert.equal(record.metadata.flexcharge_rescue_id, 'rsc_1');
    assert.equal(byRecord?.status_transitions.paid_at, Math.floor(h.clock.now().getTime() / 1000));
    assert.equal((await h.stripe.subscriptions.retrieve(subscription.id)).status, 'active');
    const paid = eventsOf(h, 'invoice.paid', renewal.id);
    assert.equal(paid.length, 1);
    assert.equal(paid[0]?.idempotencyKey, 'writeback-rsc_1-attach', "attached under the write-back's key");
    assert.equal((await adapter.invoiceStatus(renewal.id)).paidByRescueId, 'rsc_1', 'the echo reads as ours');
  });

  it('is idempotent: a repeat finds its own record on the invoice and reports already_recorded', async () => {
    const { renewal } = await heldRenewal();
    const first = await adapter.recordRecoveredPayment(renewal.id, rescued());
    h.clock.advance(5 * 60_000);
    const again = await adapter.recordRecoveredPayment(renewal.id, {
      ...rescued(),
      recoveredAt: h.clock.now(),
    });
    assert.deepEqual(again, { outcome: 'already_recorded', reference: first.reference });
    const payments = await h.stripe.invoicePayments.list({ invoice: renewal.id });
    assert.equal(payments.data.filter((p) => p.payment.type === 'payment_record').length, 1);
    assert.equal(eventsOf(h, 'invoice.paid', renewal.id).length, 1);
  });

  it('finishes a write-back whose attach failed with the record it reported, not a second one', async () => {
    const { renewal } = await heldRenewal();
    h.emulator.injectFault({
      method: 'POST',
      path: `/v1/invoices/${renewal.id}/attach_payment`,
      status: 500,
      times: 1,
    });
    await assert.rejects(adapter.recordRecoveredPayment(renewal.id, rescued()));
    assert.equal((await h.stripe.invoices.retrieve(renewal.id)).status, 'open');
    const result = await adapter.recordRecoveredPayment(renewal.id, rescued());
    assert.equal(result.outcome, 'recorded');
    const listed = await h.stripe.invoicePayments.list({
      payment: { type: 'payment_record', payment_record: result.reference! },
    });
    assert.equal(listed.data.length, 1);
  });

  it('names its record when the customer paid first, and records the refund on that same record', async () => {
    const { renewal, customer } = await heldRenewal();
    // Reported, but the attach fails; meanwhile the customer pays with a new card.
    h.emulator.injectFault({
      method: 'POST',
      path: `/v1/invoices/${renewal.id}/attach_payment`,
      status: 500,
      times: 1,
    });
    await assert.rejects(adapter.recordRecoveredPayment(renewal.id, rescued()));
    const card = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await h.stripe.invoices.pay(renewal.id, { payment_method: card.id });

    const result = await adapter.recordRecoveredPayment(renewal.id, rescued());
    assert.equal(result.outcome, 'paid_elsewhere');
    assert.match(result.reference ?? '', /^pr_/);
    const payments = await h.stripe.invoicePayments.list({ invoice: renewal.id });
    assert.ok(
      payments.data.every((p) => p.payment.type !== 'payment_record'),
      'nothing attached over the payment',
    );

    await adapter.recordRefund(renewal.id, refundOf(result.reference!));
    const record = await h.stripe.paymentRecords.retrieve(result.reference!);
    assert.deepEqual(record.amount_refunded, { currency: 'eur', value: 2900 });
    // A repeat (a crash after the refund was recorded) records nothing twice.
    await adapter.recordRefund(renewal.id, refundOf(result.reference!));
    assert.deepEqual((await h.stripe.paymentRecords.retrieve(result.reference!)).amount_refunded, {
      currency: 'eur',
      value: 2900,
    });
  });

  it('takes an invoice settled before its write-back began for someone else’s, reporting nothing', async () => {
    const { renewal } = await heldRenewal();
    await h.stripe.invoices.pay(renewal.id, { paid_out_of_band: true });
    assert.deepEqual(await adapter.recordRecoveredPayment(renewal.id, rescued()), {
      outcome: 'paid_elsewhere',
      reference: null,
    });
  });

  it('out of band: names the invoice payment, and has no Stripe payment to record a refund on', async () => {
    const { renewal } = await failedRenewal(h);
    const outOfBand = createStripeBillingAdapter({
      stripe: h.stripe,
      webhookSecret: WEBHOOK_SECRET,
      clock: h.clock,
    });
    const result = await outOfBand.recordRecoveredPayment(renewal.id, rescued());
    assert.equal(result.outcome, 'recorded');
    assert.match(result.reference ?? '', /^inpay_/);
    await outOfBand.recordRefund(renewal.id, refundOf(result.reference!));
  });
});
