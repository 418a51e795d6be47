import type Stripe from 'stripe';
import { ProviderError } from '../../plugin/core/errors.js';
import { stripeCall } from './map-stripe-error.js';

/**
 * After a release, when Stripe scheduled nothing: the merchant's fallbacks. Each is keyed by the
 * rescue alone (no hour), so however often a crashed release is repeated within Stripe's 24-hour
 * key window, the customer's card is tried once and the invoice ended once.
 */

/** One off-session attempt with the invoice's default payment method. A decline is an answer. */
export async function retryPaymentOnce(
  stripe: Stripe,
  invoiceId: string,
  retry: { rescueId: string },
): Promise<'paid' | 'failed' | 'not_open'> {
  const invoice = await stripeCall(`retrieve invoice ${invoiceId}`, () =>
    stripe.invoices.retrieve(invoiceId),
  );
  if (invoice.status !== 'open') return 'not_open';
  try {
    const paid = await stripeCall(`retry payment of invoice ${invoiceId}`, () =>
      stripe.invoices.pay(
        invoiceId,
        { off_session: true },
        { idempotencyKey: `fallback-retry-${retry.rescueId}` },
      ),
    );
    return paid.status === 'paid' ? 'paid' : 'failed';
  } catch (error) {
    // Stripe answers a declined attempt with 402 (a card error): the attempt was made, and failed.
    if (error instanceof ProviderError && error.statusCode === 402) return 'failed';
    throw error;
  }
}

/** Ends the invoice as uncollectible, as the merchant chose; nothing to do once it is not open. */
export async function markUncollectible(
  stripe: Stripe,
  invoiceId: string,
  mark: { rescueId: string },
): Promise<void> {
  const invoice = await stripeCall(`retrieve invoice ${invoiceId}`, () =>
    stripe.invoices.retrieve(invoiceId),
  );
  if (invoice.status !== 'open') return;
  await stripeCall(`mark invoice ${invoiceId} uncollectible`, () =>
    stripe.invoices.markUncollectible(
      invoiceId,
      {},
      { idempotencyKey: `fallback-uncollectible-${mark.rescueId}` },
    ),
  );
}
