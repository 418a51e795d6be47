import type Stripe from 'stripe';
import type { RecoveredPayment, WriteBackResult } from '../../plugin/core/billing-engine.js';
import { ProviderError } from '../../plugin/core/errors.js';
import { idempotencyKey } from './idempotency-key.js';
import { paidThroughStripe } from './invoice-fields.js';
import {
  isStampedRecovered,
  recoveredMetadata,
  writeBackMetadata,
  writeBackRescueId,
} from './invoice-metadata.js';
import { stripeCall } from './map-stripe-error.js';
import { retrieveInvoice } from './stripe-reads.js';

/**
 * Marks the invoice paid by the rescued payment (`invoices.pay` with `paid_out_of_band`) under the
 * write-back's own idempotency key, which the rescue recorded before the first try.
 *
 * Whether an invoice already paid out of band was paid by us is never read from its metadata (a
 * person may mark it paid after our stamp and a failed call): the same `pay` is sent again with the
 * same key, and Stripe answers it with the stored response of our first request. A paid invoice is
 * ours only when that replay says so; a refusal means someone else paid it. Stripe keeps keys for
 * 24 hours, and the rescue retries a write-back within minutes, so the replay is always there.
 *
 * The `flexcharge_status: recovering` stamp before the call is only a label for the `invoice.paid`
 * webhook and for people reading the invoice; `recovered` is stamped once the payment is ours.
 */
export async function recordPaidOutOfBand(
  stripe: Stripe,
  invoiceId: string,
  payment: RecoveredPayment,
  now: Date,
): Promise<WriteBackResult> {
  const { invoice, payments } = await retrieveInvoice(stripe, invoiceId);
  const elsewhere: WriteBackResult = { outcome: 'paid_elsewhere', reference: null };
  if (invoice.status === 'void' || invoice.status === 'uncollectible') return elsewhere;
  if (invoice.status === 'paid' && paidThroughStripe(payments)) return elsewhere;
  const wasPaid = invoice.status === 'paid';
  if (!wasPaid && writeBackRescueId(invoice.metadata) !== payment.rescueId) {
    await stripeCall(`stamp write-back on invoice ${invoiceId}`, () =>
      stripe.invoices.update(
        invoiceId,
        { metadata: writeBackMetadata(payment) },
        { idempotencyKey: idempotencyKey(`writeback-meta-${invoiceId}-${payment.rescueId}`, now) },
      ),
    );
  }
  let paid: Stripe.Invoice;
  try {
    paid = await stripeCall(`mark invoice ${invoiceId} paid out of band`, () =>
      stripe.invoices.pay(invoiceId, { paid_out_of_band: true }, { idempotencyKey: payment.idempotencyKey }),
    );
  } catch (error) {
    if (!(error instanceof ProviderError) || error.retryable) throw error;
    // Refused: our key did not pay it. Settled meanwhile by anyone else, or a fault to look at.
    const after = await retrieveInvoice(stripe, invoiceId);
    if (after.invoice.status !== 'open' && after.invoice.status !== 'draft') return elsewhere;
    throw error;
  }
  if (paid.status !== 'paid') {
    throw new ProviderError('stripe', `invoice ${invoiceId} is ${paid.status} after pay`, {
      retryable: true,
    });
  }
  if (!isStampedRecovered(paid.metadata)) {
    await stripeCall(`stamp recovered on invoice ${invoiceId}`, () =>
      stripe.invoices.update(
        invoiceId,
        { metadata: recoveredMetadata() },
        { idempotencyKey: idempotencyKey(`writeback-done-${invoiceId}-${payment.rescueId}`, now) },
      ),
    );
  }
  return { outcome: wasPaid ? 'already_recorded' : 'recorded', reference: outOfBandReference(payments) };
}

/**
 * What finance finds the out-of-band payment under: the InvoicePayment Stripe shows paid without a
 * Stripe payment, when it lists one; else the invoice's default InvoicePayment (`inpay_…`).
 */
function outOfBandReference(payments: readonly Stripe.InvoicePayment[]): string | null {
  const paidOffStripe = payments.find(
    (p) => p.status === 'paid' && p.payment.type !== 'payment_intent' && p.payment.type !== 'charge',
  );
  return (paidOffStripe ?? payments.find((p) => p.is_default) ?? payments[0])?.id ?? null;
}
