import type Stripe from 'stripe';
import type { RecordedRefund, RecoveredPayment, WriteBackResult } from '../../plugin/core/billing-engine.js';
import { ProviderError } from '../../plugin/core/errors.js';
import { idempotencyKey } from './idempotency-key.js';
import {
  INVOICE_METADATA,
  isStampedRecovered,
  recoveredMetadata,
  writeBackMetadata,
  writeBackRescueId,
} from './invoice-metadata.js';
import { stripeCall } from './map-stripe-error.js';
import { retrieveInvoice } from './stripe-reads.js';
import { idOf } from './stripe-values.js';

/** The processor and payment method the invoice's payment shows (Stripe: a custom processor). */
export const FLEXCHARGE_PROCESSOR_NAME = 'FlexCharge';

const unix = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * Writes the rescued payment back as a Stripe Payment Record: `paymentRecords.reportPayment` (a
 * guaranteed payment processed by FlexCharge, its reference FlexCharge's order id), then
 * `invoices.attachPayment`, which pays the invoice with it. Each call has its own key derived from
 * the write-back's key, which the rescue recorded before the first try.
 *
 * Ours is told from anyone's as on the out-of-band path (record-recovered-payment.ts): never from
 * metadata alone. The same `reportPayment` sent again under its key is answered with the record our
 * first request made; the invoice is ours only when that very record paid it. Without our
 * `recovering` stamp nothing was reported yet, so a settled invoice is someone else's. A record
 * reported for an invoice someone paid first is still named (`paid_elsewhere`): the refund of
 * FlexCharge's payment is recorded on it (`recordPaymentRecordRefund`).
 */
export async function recordPaymentRecord(
  stripe: Stripe,
  invoiceId: string,
  payment: RecoveredPayment,
  now: Date,
): Promise<WriteBackResult> {
  const { invoice, payments } = await retrieveInvoice(stripe, invoiceId);
  const stampedByUs = writeBackRescueId(invoice.metadata) === payment.rescueId;
  if (invoice.status !== 'open' && invoice.status !== 'draft') {
    if (!stampedByUs) return { outcome: 'paid_elsewhere', reference: null };
    const record = await reportPayment(stripe, invoice, payment);
    if (!paidByRecord(payments, record.id)) return { outcome: 'paid_elsewhere', reference: record.id };
    await stampRecovered(stripe, invoice, payment, now);
    return { outcome: 'already_recorded', reference: record.id };
  }
  if (!stampedByUs) {
    await stripeCall(`stamp write-back on invoice ${invoiceId}`, () =>
      stripe.invoices.update(
        invoiceId,
        { metadata: writeBackMetadata(payment) },
        { idempotencyKey: idempotencyKey(`writeback-meta-${invoiceId}-${payment.rescueId}`, now) },
      ),
    );
  }
  const record = await reportPayment(stripe, invoice, payment);
  let paid: Stripe.Invoice;
  try {
    paid = await stripeCall(`attach payment record ${record.id} to invoice ${invoiceId}`, () =>
      stripe.invoices.attachPayment(
        invoiceId,
        { payment_record: record.id },
        { idempotencyKey: `${payment.idempotencyKey}-attach` },
      ),
    );
  } catch (error) {
    if (!(error instanceof ProviderError) || error.retryable) throw error;
    // Refused: settled meanwhile by anyone else (the record stays ours, to refund), or a fault.
    const after = await retrieveInvoice(stripe, invoiceId);
    if (after.invoice.status !== 'open' && after.invoice.status !== 'draft')
      return { outcome: 'paid_elsewhere', reference: record.id };
    throw error;
  }
  if (paid.status !== 'paid') {
    throw new ProviderError('stripe', `invoice ${invoiceId} is ${paid.status} after attaching ${record.id}`, {
      retryable: true,
    });
  }
  await stampRecovered(stripe, paid, payment, now);
  return { outcome: 'recorded', reference: record.id };
}

/**
 * A conflict's refund, on the payment record the write-back reported: `paymentRecords.reportRefund`
 * under a key derived from the write-back's. A record with nothing left to refund has had it
 * recorded already (only we report on our records). Out-of-band write-backs hold no Stripe payment.
 */
export async function recordPaymentRecordRefund(stripe: Stripe, refund: RecordedRefund): Promise<void> {
  if (!refund.writeBackReference.startsWith('pr_')) return;
  const record = await stripeCall(`retrieve payment record ${refund.writeBackReference}`, () =>
    stripe.paymentRecords.retrieve(refund.writeBackReference),
  );
  const refundable = record.amount_guaranteed.value - record.amount_refunded.value;
  if (refundable <= 0) return;
  await stripeCall(`report refund on payment record ${record.id}`, () =>
    stripe.paymentRecords.reportRefund(
      record.id,
      {
        outcome: 'refunded',
        amount: {
          currency: record.amount_guaranteed.currency,
          value: Math.min(refund.amount.amount, refundable),
        },
        processor_details: { type: 'custom', custom: { refund_reference: refund.refundReference } },
        refunded: { refunded_at: unix(refund.refundedAt) },
        metadata: { [INVOICE_METADATA.rescueId]: refund.rescueId },
      },
      { idempotencyKey: `${refund.idempotencyKey}-refund` },
    ),
  );
}

/**
 * The payment FlexCharge took, reported to Stripe under the write-back's key. Every value comes
 * from the rescue as stored, so a repeat sends the same request and gets the same record back.
 */
function reportPayment(
  stripe: Stripe,
  invoice: Stripe.Invoice,
  payment: RecoveredPayment,
): Promise<Stripe.PaymentRecord> {
  const customer = idOf(invoice.customer);
  return stripeCall(`report FlexCharge payment for invoice ${invoice.id}`, () =>
    stripe.paymentRecords.reportPayment(
      {
        amount_requested: { currency: payment.amount.currency.toLowerCase(), value: payment.amount.amount },
        initiated_at: unix(payment.initiatedAt),
        ...(customer ? { customer_details: { customer } } : {}),
        customer_presence: 'off_session',
        description: `FlexCharge rescue of invoice ${invoice.id}`,
        payment_method_details: { type: 'custom', custom: { display_name: FLEXCHARGE_PROCESSOR_NAME } },
        processor_details: { type: 'custom', custom: { payment_reference: payment.providerOrderId } },
        outcome: 'guaranteed',
        guaranteed: { guaranteed_at: unix(payment.collectedAt) },
        metadata: {
          [INVOICE_METADATA.rescueId]: payment.rescueId,
          [INVOICE_METADATA.orderId]: payment.providerOrderId,
          [INVOICE_METADATA.confirmationId]: payment.confirmationId ?? '',
          flexcharge_invoice_id: invoice.id,
        },
      },
      { idempotencyKey: `${payment.idempotencyKey}-record` },
    ),
  );
}

function paidByRecord(payments: readonly Stripe.InvoicePayment[], recordId: string): boolean {
  return payments.some(
    (p) =>
      p.status === 'paid' &&
      p.payment.type === 'payment_record' &&
      idOf(p.payment.payment_record) === recordId,
  );
}

async function stampRecovered(
  stripe: Stripe,
  invoice: Stripe.Invoice,
  payment: RecoveredPayment,
  now: Date,
): Promise<void> {
  if (isStampedRecovered(invoice.metadata)) return;
  await stripeCall(`stamp recovered on invoice ${invoice.id}`, () =>
    stripe.invoices.update(
      invoice.id,
      { metadata: recoveredMetadata() },
      { idempotencyKey: idempotencyKey(`writeback-done-${invoice.id}-${payment.rescueId}`, now) },
    ),
  );
}
