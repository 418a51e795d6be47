import type Stripe from 'stripe';
import { stripeCall } from './map-stripe-error.js';
import type { StripeReadCache } from './read-cache.js';
import { firstMetadataValue } from './transaction-context.js';

/** Expanding this on `subscriptions.retrieve` brings every item's price and product in one request. */
export const SUBSCRIPTION_CATALOG_EXPAND = 'items.data.price.product';

/**
 * The merchant's site metadata value, first found on the invoice, then the subscription, then the
 * prices of the invoice's lines (in line order), then those prices' products. The more specific
 * object wins: a product names the site for every price of it, a price for its own lines only.
 *
 * Prices (and products, when retrieved with `SUBSCRIPTION_CATALOG_EXPAND`) are read from the
 * subscription where the line's price is one of its items. Only when nothing more specific named a
 * site does a price that is not (`prices.retrieve` with its product expanded), or a product that came
 * as an id, cost a request; both are kept in the merchant's cache, which a burst of renewals of the
 * same plans shares.
 */
export async function siteMetadataOf(
  stripe: Stripe,
  input: {
    readonly key: string;
    readonly invoice: Stripe.Invoice | null;
    readonly subscription: Stripe.Subscription | null;
    readonly linePriceIds: readonly string[];
  },
  cache: StripeReadCache,
): Promise<string | null> {
  const { key, invoice, subscription } = input;
  const direct = firstMetadataValue([invoice?.metadata, subscription?.metadata], key);
  if (direct) return direct;
  const known = new Map<string, Stripe.Price>();
  for (const item of subscription?.items.data ?? []) known.set(item.price.id, item.price);
  const prices: Stripe.Price[] = [];
  for (const id of new Set(input.linePriceIds)) {
    const price = known.get(id) ?? (await retrievePrice(stripe, id, cache));
    if (price) prices.push(price);
  }
  const fromPrice = firstMetadataValue(
    prices.map((price) => price.metadata),
    key,
  );
  if (fromPrice) return fromPrice;
  for (const price of prices) {
    const product = await productOf(stripe, price, cache);
    const value = firstMetadataValue([product?.metadata], key);
    if (value) return value;
  }
  return null;
}

function retrievePrice(stripe: Stripe, id: string, cache: StripeReadCache): Promise<Stripe.Price | null> {
  return cache.prices.through(id, () =>
    stripeCall(`retrieve price ${id}`, () => stripe.prices.retrieve(id, { expand: ['product'] })),
  );
}

/** The price's product as expanded, else read; a deleted product names no site. */
async function productOf(
  stripe: Stripe,
  price: Stripe.Price,
  cache: StripeReadCache,
): Promise<Stripe.Product | null> {
  const productId = price.product;
  if (typeof productId !== 'string') return live(productId);
  return cache.products.through(productId, async () =>
    live(await stripeCall(`retrieve product ${productId}`, () => stripe.products.retrieve(productId))),
  );
}

function live(product: Stripe.Product | Stripe.DeletedProduct): Stripe.Product | null {
  return product.deleted ? null : product;
}
