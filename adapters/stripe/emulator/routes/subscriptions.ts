import type Stripe from 'stripe';
import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { invalidRequest } from '../errors.js';
import { updateAndEmit } from '../event-log.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, boolean, expand, integer, metadata, pagination } from '../param-schemas.js';
import { cancelSubscriptionNow } from '../subscription-cancel.js';
import { assertAttachedTo, createSubscription } from '../subscription-lifecycle.js';
import { DAY_SECONDS } from '../time.js';

const createSchema = z.strictObject({
  customer: z.string(),
  items: z
    .array(
      z.strictObject({
        price: z.string(),
        quantity: integer.refine((n) => n >= 1, { message: 'quantity must be 1 or more' }).optional(),
        metadata: metadata.optional(),
      }),
    )
    .min(1),
  collection_method: z.literal('charge_automatically').optional(),
  default_payment_method: z.string().optional(),
  description: z.string().optional(),
  metadata: metadata.optional(),
  payment_behavior: z
    .enum(['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'])
    .optional(),
  off_session: boolean.optional(),
  cancel_at_period_end: boolean.optional(),
  trial_period_days: integer.refine((n) => n >= 1 && n <= 730, { message: 'must be 1 to 730' }).optional(),
  expand,
});

const updateSchema = z.strictObject({
  default_payment_method: z.string().optional(),
  description: z.string().optional(),
  metadata: metadata.optional(),
  cancel_at_period_end: boolean.optional(),
  expand,
});

const cancelSchema = z.strictObject({
  cancellation_details: z
    .strictObject({
      comment: z.string().optional(),
      feedback: z
        .enum([
          'customer_service',
          'low_quality',
          'missing_features',
          'other',
          'switched_service',
          'too_complex',
          'too_expensive',
          'unused',
        ])
        .optional(),
    })
    .optional(),
  expand,
});

const STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;

const listSchema = z.strictObject({
  ...pagination,
  customer: z.string().optional(),
  price: z.string().optional(),
  status: z.enum(STATUSES).optional(),
});

/** `/v1/subscriptions`: create (charges the first invoice), retrieve, update, cancel, list. */
export function registerSubscriptionRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;
  const find = (id: string) => mustGet(store.subscriptions, id, 'subscription');

  api.post('/subscriptions', createSchema, ({ params, now, origin }) =>
    createSubscription(
      ctx,
      {
        customer: params.customer,
        items: params.items.map((item) => ({
          price: item.price,
          quantity: item.quantity ?? 1,
          metadata: applyMetadata({}, item.metadata),
        })),
        defaultPaymentMethod: params.default_payment_method || null,
        description: params.description || null,
        metadata: applyMetadata({}, params.metadata),
        paymentBehavior: params.payment_behavior ?? 'allow_incomplete',
        offSession: params.off_session ?? false,
        cancelAtPeriodEnd: params.cancel_at_period_end ?? false,
        trialEnd: params.trial_period_days ? now + params.trial_period_days * DAY_SECONDS : null,
      },
      now,
      origin,
    ),
  );

  api.get('/subscriptions/:id', z.strictObject({ expand }), ({ path }) => find(path.id ?? ''));

  api.post('/subscriptions/:id', updateSchema, ({ params, path, now, origin }) => {
    const sub = find(path.id ?? '');
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      const allowed =
        params.default_payment_method === undefined && params.cancel_at_period_end === undefined;
      if (!allowed) {
        throw invalidRequest(
          'A canceled subscription can only update its cancellation_details and metadata.',
        );
      }
    }
    const pm = params.default_payment_method;
    if (pm) assertAttachedTo(ctx, pm, String(sub.customer), 'default_payment_method');
    updateAndEmit(ctx, 'customer.subscription.updated', sub, origin, now, (s) => {
      if (pm !== undefined) s.default_payment_method = pm || null;
      if (params.description !== undefined) s.description = params.description || null;
      if (params.cancel_at_period_end !== undefined) {
        s.cancel_at_period_end = params.cancel_at_period_end;
        s.cancel_at = params.cancel_at_period_end ? periodEnd(s) : null;
      }
      s.metadata = applyMetadata(s.metadata, params.metadata);
    });
    return sub;
  });

  api.delete('/subscriptions/:id', cancelSchema, ({ params, path, now, origin }) => {
    const sub = find(path.id ?? '');
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw invalidRequest(`This subscription is already canceled.`, { param: 'id' });
    }
    const details = params.cancellation_details;
    cancelSubscriptionNow(
      ctx,
      sub,
      {
        reason: 'cancellation_requested',
        comment: details?.comment || null,
        feedback: details?.feedback ?? null,
      },
      now,
      origin,
    );
    return sub;
  });

  api.get('/subscriptions', listSchema, ({ params }) => {
    const subs = newestFirst(store.subscriptions.values()).filter(
      (s) =>
        (!params.customer || s.customer === params.customer) &&
        (!params.price || s.items.data.some((item) => item.price.id === params.price)) &&
        statusMatches(s.status, params.status),
    );
    return paginate(subs, params, '/v1/subscriptions', 'subscription');
  });
}

/** Without `status`, Stripe lists every subscription that hasn't ended. */
function statusMatches(
  status: Stripe.Subscription.Status,
  filter: (typeof STATUSES)[number] | undefined,
): boolean {
  if (filter === 'all') return true;
  if (filter === 'ended') return status === 'canceled' || status === 'incomplete_expired';
  if (filter === undefined) return status !== 'canceled' && status !== 'incomplete_expired';
  return status === filter;
}

function periodEnd(sub: Stripe.Subscription): number | null {
  const ends = sub.items.data.map((item) => item.current_period_end);
  return ends.length > 0 ? Math.min(...ends) : null;
}
