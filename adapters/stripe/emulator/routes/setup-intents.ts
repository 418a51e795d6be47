import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, idOf, mustGet } from '../emulator-store.js';
import { emitEvent } from '../event-log.js';
import { buildSetupIntent } from '../objects/setup-intent.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, boolean, expand, metadata, pagination } from '../param-schemas.js';
import { materializeTestPaymentMethod } from '../payment-method-factory.js';
import { confirmSetupIntent, newSetupIntentId } from '../setup-intents.js';

const createSchema = z.strictObject({
  customer: z.string().optional(),
  payment_method: z.string().optional(),
  allowed_payment_method_types: z.array(z.literal('card')).optional(),
  confirm: boolean.optional(),
  usage: z.enum(['off_session', 'on_session']).optional(),
  description: z.string().optional(),
  metadata: metadata.optional(),
  expand,
});

const confirmSchema = z.strictObject({ payment_method: z.string().optional(), expand });

const listSchema = z.strictObject({
  ...pagination,
  customer: z.string().optional(),
  payment_method: z.string().optional(),
});

const attemptListSchema = z.strictObject({ ...pagination, setup_intent: z.string() });

/**
 * `/v1/setup_intents` (create, optionally confirming; confirm; retrieve; list by customer or
 * payment method) and `/v1/setup_attempts` (list by SetupIntent): how a customer saves a card
 * without paying, e.g. before a free trial.
 */
export function registerSetupIntentRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;
  const paymentMethodId = (id: string, now: number) =>
    (
      materializeTestPaymentMethod(ctx, id, now) ??
      mustGet(store.paymentMethods, id, 'PaymentMethod', 'payment_method')
    ).id;

  api.post('/setup_intents', createSchema, ({ params, now, origin }) => {
    if (params.customer) mustGet(store.customers, params.customer, 'customer', 'customer');
    const intent = buildSetupIntent({
      id: newSetupIntentId(),
      created: now,
      customer: params.customer ?? null,
      paymentMethod: params.payment_method ? paymentMethodId(params.payment_method, now) : null,
      description: params.description ?? null,
      metadata: applyMetadata({}, params.metadata),
      usage: params.usage ?? 'off_session',
    });
    store.setupIntents.set(intent.id, intent);
    emitEvent(ctx, 'setup_intent.created', intent, origin, now);
    return params.confirm ? confirmSetupIntent(ctx, intent, now, origin) : intent;
  });

  api.post('/setup_intents/:id/confirm', confirmSchema, ({ params, path, now, origin }) => {
    const intent = mustGet(store.setupIntents, path.id ?? '', 'setupintent');
    if (params.payment_method) intent.payment_method = paymentMethodId(params.payment_method, now);
    return confirmSetupIntent(ctx, intent, now, origin);
  });

  api.get('/setup_intents/:id', z.strictObject({ expand }), ({ path }) =>
    mustGet(store.setupIntents, path.id ?? '', 'setupintent'),
  );

  api.get('/setup_intents', listSchema, ({ params }) => {
    const matching = newestFirst(store.setupIntents.values()).filter(
      (intent) =>
        (!params.customer || idOf(intent.customer) === params.customer) &&
        (!params.payment_method || idOf(intent.payment_method) === params.payment_method),
    );
    return paginate(matching, params, '/v1/setup_intents', 'setupintent');
  });

  api.get('/setup_attempts', attemptListSchema, ({ params }) => {
    const matching = newestFirst(store.setupAttempts.values()).filter(
      (attempt) => idOf(attempt.setup_intent) === params.setup_intent,
    );
    return paginate(matching, params, '/v1/setup_attempts', 'setupattempt');
  });
}
