import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { invalidRequest } from '../errors.js';
import { emitEvent } from '../event-log.js';
import { newId } from '../ids.js';
import { buildPrice, buildProduct } from '../objects/catalog.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, boolean, expand, integer, metadata, pagination } from '../param-schemas.js';

const productSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  statement_descriptor: z.string().max(22).optional(),
  metadata: metadata.optional(),
  expand,
});

const priceSchema = z.strictObject({
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  unit_amount: integer.refine((n) => n >= 0, { message: 'unit_amount must be 0 or more' }),
  product: z.string().optional(),
  product_data: z.strictObject({ name: z.string().min(1), metadata: metadata.optional() }).optional(),
  recurring: z
    .strictObject({
      interval: z.enum(['day', 'week', 'month', 'year']),
      interval_count: integer
        .refine((n) => n >= 1, { message: 'interval_count must be 1 or more' })
        .optional(),
    })
    .optional(),
  nickname: z.string().optional(),
  lookup_key: z.string().optional(),
  metadata: metadata.optional(),
  expand,
});

const listProducts = z.strictObject({ ...pagination, active: boolean.optional() });
const listPrices = z.strictObject({
  ...pagination,
  product: z.string().optional(),
  active: boolean.optional(),
});

/** `/v1/products` and `/v1/prices`: what subscriptions are made of. */
export function registerCatalogRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;

  api.post('/products', productSchema, ({ params, now, origin }) => {
    const id = params.id ?? newId('product');
    if (store.products.has(id))
      throw invalidRequest(`Product already exists.`, { code: 'resource_already_exists', param: 'id' });
    const product = buildProduct({
      id,
      created: now,
      name: params.name,
      description: params.description || null,
      statementDescriptor: params.statement_descriptor || null,
      metadata: applyMetadata({}, params.metadata),
    });
    store.products.set(id, product);
    emitEvent(ctx, 'product.created', product, origin, now);
    return product;
  });

  api.get('/products/:id', z.strictObject({ expand }), ({ path }) =>
    mustGet(store.products, path.id ?? '', 'product'),
  );

  api.get('/products', listProducts, ({ params }) => {
    const products = newestFirst(store.products.values()).filter(
      (p) => params.active === undefined || p.active === params.active,
    );
    return paginate(products, params, '/v1/products', 'product');
  });

  api.post('/prices', priceSchema, ({ params, now, origin }) => {
    if (params.product && params.product_data) {
      throw invalidRequest('You may only specify one of these parameters: product, product_data.', {
        code: 'parameters_exclusive',
        param: 'product',
      });
    }
    let productId = params.product;
    if (productId) mustGet(store.products, productId, 'product', 'product');
    else if (params.product_data) {
      const product = buildProduct({
        id: newId('product'),
        created: now,
        name: params.product_data.name,
        description: null,
        statementDescriptor: null,
        metadata: applyMetadata({}, params.product_data.metadata),
      });
      store.products.set(product.id, product);
      emitEvent(ctx, 'product.created', product, origin, now);
      productId = product.id;
    } else {
      throw invalidRequest('Missing required param: product.', {
        code: 'parameter_missing',
        param: 'product',
      });
    }
    const price = buildPrice({
      id: newId('price'),
      created: now,
      product: productId,
      currency: params.currency.toLowerCase(),
      unitAmount: params.unit_amount,
      recurring: params.recurring
        ? { interval: params.recurring.interval, interval_count: params.recurring.interval_count ?? 1 }
        : null,
      nickname: params.nickname || null,
      lookupKey: params.lookup_key || null,
      metadata: applyMetadata({}, params.metadata),
    });
    store.prices.set(price.id, price);
    emitEvent(ctx, 'price.created', price, origin, now);
    return price;
  });

  api.get('/prices/:id', z.strictObject({ expand }), ({ path }) =>
    mustGet(store.prices, path.id ?? '', 'price'),
  );

  api.get('/prices', listPrices, ({ params }) => {
    const prices = newestFirst(store.prices.values()).filter(
      (p) =>
        (!params.product || p.product === params.product) &&
        (params.active === undefined || p.active === params.active),
    );
    return paginate(prices, params, '/v1/prices', 'price');
  });
}
