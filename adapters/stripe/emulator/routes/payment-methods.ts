import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, idOf, mustGet } from '../emulator-store.js';
import { invalidRequest } from '../errors.js';
import { emitEvent, updateAndEmit } from '../event-log.js';
import { billingDetails as billingDetailsObject } from '../objects/payment-method.js';
import { newestFirst, paginate } from '../pagination.js';
import {
  applyMetadata,
  billingDetails,
  expand,
  integer,
  metadata,
  pagination,
  toAddress,
} from '../param-schemas.js';
import {
  attachPaymentMethod,
  createCardPaymentMethod,
  materializeTestPaymentMethod,
  NO_BILLING_DETAILS,
} from '../payment-method-factory.js';

const createSchema = z.strictObject({
  type: z.literal('card'),
  card: z
    .strictObject({
      token: z.string().optional(),
      number: z.string().optional(),
      exp_month: integer.optional(),
      exp_year: integer.optional(),
      cvc: z.string().optional(),
    })
    .optional(),
  billing_details: billingDetails.optional(),
  metadata: metadata.optional(),
  expand,
});

const updateSchema = z.strictObject({
  billing_details: billingDetails.optional(),
  card: z.strictObject({ exp_month: integer.optional(), exp_year: integer.optional() }).optional(),
  metadata: metadata.optional(),
  expand,
});

const listSchema = z.strictObject({
  ...pagination,
  customer: z.string().optional(),
  type: z.string().optional(),
});

/** `/v1/payment_methods`: create, retrieve, update, attach, detach, list. `pm_card_*` ids work everywhere. */
export function registerPaymentMethodRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;
  const find = (id: string, now: number) =>
    materializeTestPaymentMethod(ctx, id, now) ?? mustGet(store.paymentMethods, id, 'PaymentMethod');

  api.post('/payment_methods', createSchema, ({ params, now }) => {
    if (!params.card)
      throw invalidRequest('Missing required param: card.', { code: 'parameter_missing', param: 'card' });
    const details = params.billing_details;
    return createCardPaymentMethod(
      ctx,
      params.card,
      details
        ? {
            name: details.name || null,
            email: details.email || null,
            phone: details.phone || null,
            address: toAddress(details.address),
          }
        : NO_BILLING_DETAILS,
      applyMetadata({}, params.metadata),
      now,
    );
  });

  api.get('/payment_methods/:id', z.strictObject({ expand }), ({ path, now }) => find(path.id ?? '', now));

  api.post('/payment_methods/:id', updateSchema, ({ params, path, now, origin }) => {
    const pm = mustGet(store.paymentMethods, path.id ?? '', 'PaymentMethod');
    updateAndEmit(ctx, 'payment_method.updated', pm, origin, now, (p) => {
      const details = params.billing_details;
      if (details) {
        const current = p.billing_details;
        p.billing_details = billingDetailsObject({
          name: details.name === undefined ? current.name : details.name || null,
          email: details.email === undefined ? current.email : details.email || null,
          phone: details.phone === undefined ? current.phone : details.phone || null,
          address: details.address === undefined ? current.address : toAddress(details.address),
        });
      }
      if (p.card && params.card?.exp_month !== undefined) p.card.exp_month = params.card.exp_month;
      if (p.card && params.card?.exp_year !== undefined) p.card.exp_year = params.card.exp_year;
      p.metadata = applyMetadata(p.metadata ?? {}, params.metadata);
    });
    return pm;
  });

  api.post('/payment_methods/:id/attach', z.strictObject({ customer: z.string(), expand }), (call) => {
    const pm = find(call.path.id ?? '', call.now);
    attachPaymentMethod(ctx, pm, call.params.customer, call.now, call.origin);
    return pm;
  });

  api.post('/payment_methods/:id/detach', z.strictObject({ expand }), ({ path, now, origin }) => {
    const pm = mustGet(store.paymentMethods, path.id ?? '', 'PaymentMethod');
    const customerId = idOf(pm.customer);
    if (customerId === null) {
      throw invalidRequest(
        'The payment method you provided is not attached to a customer so detachment is impossible.',
        {
          code: 'payment_method_unexpected_state',
        },
      );
    }
    pm.customer = null;
    const customer = store.customers.get(customerId);
    if (customer && idOf(customer.invoice_settings.default_payment_method) === pm.id) {
      updateAndEmit(ctx, 'customer.updated', customer, origin, now, (c) => {
        c.invoice_settings.default_payment_method = null;
      });
    }
    emitEvent(ctx, 'payment_method.detached', pm, origin, now, { customer: customerId });
    return pm;
  });

  api.get('/payment_methods', listSchema, ({ params }) => {
    const pms = newestFirst(store.paymentMethods.values()).filter(
      (pm) =>
        (!params.customer || idOf(pm.customer) === params.customer) &&
        (!params.type || pm.type === params.type),
    );
    return paginate(pms, params, '/v1/payment_methods', 'payment_method');
  });
}
