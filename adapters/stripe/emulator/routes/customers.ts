import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { copy, type EmulatorContext, idOf, mustGet } from '../emulator-store.js';
import { emitEvent, updateAndEmit } from '../event-log.js';
import { newId } from '../ids.js';
import { buildCustomer } from '../objects/customer.js';
import { newestFirst, paginate } from '../pagination.js';
import { address, applyMetadata, expand, metadata, pagination, toAddress } from '../param-schemas.js';
import { attachPaymentMethod, materializeTestPaymentMethod } from '../payment-method-factory.js';
import { assertAttachedTo } from '../subscription-lifecycle.js';

const invoiceSettings = z.strictObject({ default_payment_method: z.string().optional() });

const customerFields = {
  address: address.optional(),
  description: z.string().optional(),
  email: z.string().optional(),
  invoice_settings: invoiceSettings.optional(),
  metadata: metadata.optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  expand,
};

const createSchema = z.strictObject({ ...customerFields, payment_method: z.string().optional() });
const updateSchema = z.strictObject(customerFields);
const retrieveSchema = z.strictObject({ expand });
const listSchema = z.strictObject({ ...pagination, email: z.string().optional() });

/** `/v1/customers`: create (optionally attaching `payment_method`), retrieve, update, list. */
export function registerCustomerRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;

  api.post('/customers', createSchema, ({ params, now, origin }) => {
    const customer = buildCustomer({
      id: newId('customer'),
      created: now,
      email: params.email || null,
      name: params.name || null,
      phone: params.phone || null,
      description: params.description || null,
      address: toAddress(params.address),
      metadata: applyMetadata({}, params.metadata),
      defaultPaymentMethod: null,
    });
    store.customers.set(customer.id, customer);
    emitEvent(ctx, 'customer.created', customer, origin, now);
    if (params.payment_method) {
      const pm =
        materializeTestPaymentMethod(ctx, params.payment_method, now) ??
        mustGet(store.paymentMethods, params.payment_method, 'PaymentMethod', 'payment_method');
      attachPaymentMethod(ctx, pm, customer.id, now, origin);
    }
    const requested = params.invoice_settings?.default_payment_method;
    if (requested) {
      updateAndEmit(ctx, 'customer.updated', customer, origin, now, (c) => {
        c.invoice_settings.default_payment_method = resolveDefault(
          ctx,
          requested,
          params.payment_method,
          c.id,
        );
      });
    }
    return customer;
  });

  api.get('/customers/:id', retrieveSchema, ({ path }) =>
    mustGet(store.customers, path.id ?? '', 'customer'),
  );

  api.post('/customers/:id', updateSchema, ({ params, path, now, origin }) => {
    const customer = mustGet(store.customers, path.id ?? '', 'customer');
    const requested = params.invoice_settings?.default_payment_method;
    if (requested) assertAttachedTo(ctx, requested, customer.id, 'invoice_settings[default_payment_method]');
    updateAndEmit(ctx, 'customer.updated', customer, origin, now, (c) => {
      if (params.email !== undefined) c.email = params.email || null;
      if (params.name !== undefined) c.name = params.name || null;
      if (params.phone !== undefined) c.phone = params.phone || null;
      if (params.description !== undefined) c.description = params.description || null;
      if (params.address !== undefined) c.address = toAddress(params.address);
      if (requested !== undefined) c.invoice_settings.default_payment_method = requested || null;
      c.metadata = applyMetadata(c.metadata, params.metadata);
    });
    return customer;
  });

  api.get('/customers', listSchema, ({ params }) => {
    const all = newestFirst(store.customers.values()).filter(
      (c) => !params.email || c.email === params.email,
    );
    return paginate(all, params, '/v1/customers', 'customer');
  });

  api.get(
    '/customers/:id/payment_methods',
    z.strictObject({ ...pagination, type: z.string().optional() }),
    (call) => {
      const customer = mustGet(store.customers, call.path.id ?? '', 'customer');
      const pms = newestFirst(store.paymentMethods.values()).filter(
        (pm) => idOf(pm.customer) === customer.id && (!call.params.type || pm.type === call.params.type),
      );
      return paginate(
        pms.map(copy),
        call.params,
        `/v1/customers/${customer.id}/payment_methods`,
        'payment_method',
      );
    },
  );
}

/** On create, `invoice_settings[default_payment_method]` may name the `payment_method` just attached. */
function resolveDefault(
  ctx: EmulatorContext,
  requested: string,
  attachedParam: string | undefined,
  customerId: string,
) {
  if (attachedParam && requested === attachedParam) {
    const attached = [...ctx.store.paymentMethods.values()]
      .reverse()
      .find((pm) => idOf(pm.customer) === customerId);
    if (attached) return attached.id;
  }
  assertAttachedTo(ctx, requested, customerId, 'invoice_settings[default_payment_method]');
  return requested;
}
