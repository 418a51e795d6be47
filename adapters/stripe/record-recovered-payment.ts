import type Stripe from 'stripe';
import type { RecoveredPayment } from '../../plugin/core/billing-engine.js';
import { ConflictError, ProviderError } from '../../plugin/core/errors.js';
import { idempotencyKey } from './idempotency-key.js';
import {
  isStampedRecovered,
  recoveredMetadata,
  writeBackMetadata,
  writeBackRescueId,
} from './invoice-metadata.js';
import { paidByRescueId } from './invoice-snapshot.js';
import { stripeCall } from './map-stripe-error.js';
import { type InvoiceWithPayments, retrieveInvoice } from './stripe-reads.js';

export type WriteBackResult = 'recorded' | 'already_recorded' | 'paid_elsewhere';

/**
 * Marks the invoice paid by the rescued payment, in an order that keeps every step recognisable:
 *
 * 1. stamp `flexcharge_status: recovering` with the rescue id, order id, amount… on the open invoice;
 * 2. `invoices.pay({paid_out_of_band: true})`: no charge; the `invoice.paid` event Stripe sends for
 *    it already carries step 1's stamp, so `normalize` knows it as ours;
 * 3. stamp `flexcharge_status: recovered`.
 *
 * A call after a crash re-reads the invoice and resumes: paid with our stamp (and by no Stripe
 * payment) is `already_recorded`; paid by anything else, void or uncollectible is `paid_elsewhere`.
 */
export async function recordRecoveredPayment(
  stripe: Stripe,
  invoiceId: string,
  payment: RecoveredPayment,
  now: Date,
): Promise<WriteBackResult> {
  const { rescueId } = payment;
  const current = await retrieveInvoice(stripe, invoiceId);
  const settled = settledAs(current, rescueId);
  if (settled === 'paid_elsewhere') return settled;
  if (settled === 'ours') {
    await stampRecovered(stripe, current.invoice, rescueId, now);
    return 'already_recorded';
  }
  if (current.invoice.status !== 'open') {
    throw new ConflictError(
      `invoice ${invoiceId} is ${current.invoice.status}; only an open invoice can be written back`,
    );
  }
  if (writeBackRescueId(current.invoice.metadata) !== rescueId) {
    await stripeCall(`stamp write-back on invoice ${invoiceId}`, () =>
      stripe.invoices.update(
        invoiceId,
        { metadata: writeBackMetadata(payment) },
        { idempotencyKey: idempotencyKey(`writeback-meta-${invoiceId}-${rescueId}`, now) },
      ),
    );
  }
  let paid: Stripe.Invoice;
  try {
    paid = await stripeCall(`mark invoice ${invoiceId} paid out of band`, () =>
      stripe.invoices.pay(
        invoiceId,
        { paid_out_of_band: true },
        { idempotencyKey: idempotencyKey(`writeback-${invoiceId}-${rescueId}`, now) },
      ),
    );
  } catch (error) {
    // Paid or voided between our read and our pay: what it is now decides.
    if (!(error instanceof ProviderError) || error.retryable) throw error;
    const after = await retrieveInvoice(stripe, invoiceId);
    const outcome = settledAs(after, rescueId);
    if (outcome === 'paid_elsewhere') return outcome;
    if (outcome !== 'ours') throw error;
    paid = after.invoice;
  }
  await stampRecovered(stripe, paid, rescueId, now);
  return 'recorded';
}

/** How a no-longer-open invoice ended: by our write-back, or by anything else. */
function settledAs(
  { invoice, payments }: InvoiceWithPayments,
  rescueId: string,
): 'ours' | 'paid_elsewhere' | null {
  switch (invoice.status) {
    case 'paid':
      return paidByRescueId(invoice, payments) === rescueId ? 'ours' : 'paid_elsewhere';
    case 'void':
    case 'uncollectible':
      return 'paid_elsewhere';
    default:
      return null;
  }
}

async function stampRecovered(
  stripe: Stripe,
  invoice: Stripe.Invoice,
  rescueId: string,
  now: Date,
): Promise<void> {
  if (isStampedRecovered(invoice.metadata)) return;
  await stripeCall(`stamp recovered on invoice ${invoice.id}`, () =>
    stripe.invoices.update(
      invoice.id,
      { metadata: recoveredMetadata() },
      { idempotencyKey: idempotencyKey(`writeback-done-${invoice.id}-${rescueId}`, now) },
    ),
  );
}
