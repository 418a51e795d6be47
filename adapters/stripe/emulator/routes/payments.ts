import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { newestFirst, paginate } from '../pagination.js';
import { expand, pagination } from '../param-schemas.js';

const listIntents = z.strictObject({ ...pagination, customer: z.string().optional() });
const listCharges = z.strictObject({
  ...pagination,
  customer: z.string().optional(),
  payment_intent: z.string().optional(),
});

/** `/v1/payment_intents` and `/v1/charges`: read-only; invoices create and confirm them. */
export function registerPaymentRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;

  api.get(
    '/payment_intents/:id',
    z.strictObject({ expand, client_secret: z.string().optional() }),
    ({ path }) => mustGet(store.paymentIntents, path.id ?? '', 'payment_intent'),
  );

  api.get('/payment_intents', listIntents, ({ params }) => {
    const intents = newestFirst(store.paymentIntents.values()).filter(
      (pi) => !params.customer || pi.customer === params.customer,
    );
    return paginate(intents, params, '/v1/payment_intents', 'payment_intent');
  });

  api.get('/charges/:id', z.strictObject({ expand }), ({ path }) =>
    mustGet(store.charges, path.id ?? '', 'charge'),
  );

  api.get('/charges', listCharges, ({ params }) => {
    const charges = newestFirst(store.charges.values()).filter(
      (ch) =>
        (!params.customer || ch.customer === params.customer) &&
        (!params.payment_intent || ch.payment_intent === params.payment_intent),
    );
    return paginate(charges, params, '/v1/charges', 'charge');
  });
}
