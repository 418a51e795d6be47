import type Stripe from 'stripe';
import type { InvoiceStatus } from '../../plugin/core/billing-engine.js';
import { ProviderError } from '../../plugin/core/errors.js';
import { idempotencyKey } from './idempotency-key.js';
import { invoiceStatusOf } from './invoice-fields.js';
import {
  currentHold,
  FLEXCHARGE_STATUS,
  holdingRescueId,
  holdMetadata,
  INVOICE_METADATA,
  releaseMetadata,
} from './invoice-metadata.js';
import { RENEWAL_INVOICE_EXPAND } from './load-renewal-failure.js';
import { stripeCall } from './map-stripe-error.js';
import type { StripeReadCache } from './read-cache.js';
import { recentInvoice } from './stripe-reads.js';

/** Only draft and open invoices take `auto_advance`; Stripe refuses it on paid, void, uncollectible. */
const EDITABLE: ReadonlySet<string> = new Set(['draft', 'open']);

/**
 * Stops Stripe's retries, retry emails and reminders for one invoice (`auto_advance: false`) and
 * remembers on the invoice what `auto_advance` was. A repeated call for the same rescue (after a
 * crash) changes nothing and returns the remembered value, not the `false` the hold left behind.
 * What auto_advance was is taken from the step's own read of the invoice when it was made a moment
 * ago (`recentInvoice`); the status returned is Stripe's answer to the hold itself.
 */
export async function holdInvoiceRetries(
  stripe: Stripe,
  invoiceId: string,
  hold: { rescueId: string; until: Date },
  now: Date,
  cache: StripeReadCache,
): Promise<{ previousAutoAdvance: boolean; invoiceStatus: InvoiceStatus; answer?: Stripe.Invoice }> {
  const invoice = await recentInvoice(stripe, invoiceId, cache);
  const existing = currentHold(invoice.metadata);
  const ours = existing?.rescueId === hold.rescueId;
  if (existing && ours && invoice.auto_advance === false) {
    return { previousAutoAdvance: existing.previousAutoAdvance, invoiceStatus: invoiceStatusOf(invoice) };
  }
  // Under an earlier rescue's hold that was never released, `false` is that hold's doing, not the merchant's.
  const previousAutoAdvance = existing ? existing.previousAutoAdvance : (invoice.auto_advance ?? false);
  const held = await stripeCall(`hold retries on invoice ${invoiceId}`, () =>
    stripe.invoices.update(
      invoiceId,
      {
        auto_advance: false,
        metadata: holdMetadata({ ...hold, previousAutoAdvance }),
        // Answered as a renewal load reads it: the hand-over right after needs no read of its own.
        expand: ['payments', ...RENEWAL_INVOICE_EXPAND],
      },
      // Someone re-enabled auto_advance under our hold: the first key's stored response would only
      // replay, so this second application goes without one (the SDK still adds its retry key).
      ours ? {} : { idempotencyKey: idempotencyKey(`hold-${invoiceId}-${hold.rescueId}`, now) },
    ),
  );
  return { previousAutoAdvance, invoiceStatus: invoiceStatusOf(held), answer: held };
}

/**
 * Hands the invoice back to Stripe's dunning with the `auto_advance` it had before the hold. Does
 * nothing when the invoice is no longer draft or open (paid, void and uncollectible invoices keep
 * `auto_advance` false), when another rescue holds it now, or when this release already happened.
 */
export async function releaseInvoiceHold(
  stripe: Stripe,
  invoiceId: string,
  release: { rescueId: string; restoreAutoAdvance: boolean; reason: string },
  now: Date,
  cache: StripeReadCache,
): Promise<void> {
  const invoice = await recentInvoice(stripe, invoiceId, cache);
  if (!EDITABLE.has(invoice.status ?? '')) return;
  const holder = holdingRescueId(invoice.metadata);
  if (holder !== null && holder !== release.rescueId) return;
  const releasedByUs =
    invoice.metadata?.[INVOICE_METADATA.status] === FLEXCHARGE_STATUS.released &&
    invoice.metadata[INVOICE_METADATA.rescueId] === release.rescueId;
  if (releasedByUs && invoice.auto_advance === release.restoreAutoAdvance) return;
  try {
    await stripeCall(`release hold on invoice ${invoiceId}`, () =>
      stripe.invoices.update(
        invoiceId,
        { auto_advance: release.restoreAutoAdvance, metadata: releaseMetadata(release.reason) },
        releasedByUs
          ? {}
          : { idempotencyKey: idempotencyKey(`release-${invoiceId}-${release.rescueId}`, now) },
      ),
    );
  } catch (error) {
    // Paid or voided between the read and the update: there is nothing left to give back.
    if (error instanceof ProviderError && !error.retryable) {
      const now = await retrieve(stripe, invoiceId);
      if (!EDITABLE.has(now.status ?? '')) return;
    }
    throw error;
  }
}

function retrieve(stripe: Stripe, invoiceId: string): Promise<Stripe.Invoice> {
  return stripeCall(`retrieve invoice ${invoiceId}`, () => stripe.invoices.retrieve(invoiceId));
}
