import type Stripe from 'stripe';
import { stripeCall } from './map-stripe-error.js';
import { firstMetadataValue } from './transaction-context.js';

/** Expanding this on `subscriptions.retrieve` brings every item's price and product in one request. */
export const SUBSCRIPTION_CATALOG_EXPAND = 'items.data.price.product';

/**
 * The merchant's site metadata value, first found on the invoice, then the subscription, then the
 * prices of the invoice's lines (in line order), then those prices' products. The more specific
 * object wins: a product names the site for every price of it, a price for its own lines only.
 *
 * Prices and products are read from the subscription (retrieved with `SUBSCRIPTION_CATALOG_EXPAND`)
 * where the line's price is one of its items; only a line whose price is not, and only when nothing
 * more specific named a site, costs a request (`prices.retrieve` with its product expanded).
 */
export async function siteMetadataOf(
  stripe: Stripe,
  input: {
    readonly key: string;
    readonly invoice: Stripe.Invoice | null;
    readonly subscription: Stripe.Subscription | null;
    readonly linePriceIds: readonly string[];
  },
): Promise<string | null> {
  const { key, invoice, subscription } = input;
  const direct = firstMetadataValue([invoice?.metadata, subscription?.metadata], key);
  if (direct) return direct;
  const known = new Map<string, Stripe.Price>();
  for (const item of subscription?.items.data ?? []) known.set(item.price.id, item.price);
  const prices: Stripe.Price[] = [];
  for (const id of new Set(input.linePriceIds)) {
    const price = known.get(id) ?? (await retrievePrice(stripe, id));
    if (price) prices.push(price);
  }
  const fromPrice = firstMetadataValue(
    prices.map((price) => price.metadata),
    key,
  );
  if (fromPrice) return fromPrice;
  for (const price of prices) {
    const product = await productOf(stripe, price);
    const value = firstMetadataValue([product?.metadata], key);
    if (value) return value;
  }
  return null;
}

async function retrievePrice(stripe: Stripe, id: string): Promise<Stripe.Price | null> {
  return stripeCall(`retrieve price ${id}`, () => stripe.prices.retrieve(id, { expand: ['product'] }));
}

/** The price's product as expanded, else read; a deleted product names no site. */
async function productOf(stripe: Stripe, price: Stripe.Price): Promise<Stripe.Product | null> {
  const product =
    typeof price.product === 'string'
      ? await stripeCall(`retrieve product ${price.product}`, () =>
          stripe.products.retrieve(price.product as string),
        )
      : price.product;
  return product && !product.deleted ? product : null;
}
