import type Stripe from 'stripe';
import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { copy, type EmulatorContext, idOf, mustGet } from '../emulator-store.js';
import { cardError, invalidRequest } from '../errors.js';
import { collectInvoice } from '../invoice-collection.js';
import { newestFirst, paginate } from '../pagination.js';
import { boolean, expand, pagination } from '../param-schemas.js';
import { assertAttachedTo } from '../subscription-lifecycle.js';

const listIntents = z.strictObject({ ...pagination, customer: z.string().optional() });
const listCharges = z.strictObject({
  ...pagination,
  customer: z.string().optional(),
  payment_intent: z.string().optional(),
});

/**
 * Confirm of an invoice's PaymentIntent. `payment_method_options[card][moto]` marks the payment as
 * taken by mail or telephone (Stripe accepts it at confirmation only); Stripe reports it on the
 * charge as `payment_method_details.card.moto`, not on the PaymentIntent.
 */
const confirmSchema = z.strictObject({
  payment_method: z.string().optional(),
  off_session: boolean.optional(),
  payment_method_options: z
    .strictObject({ card: z.strictObject({ moto: boolean.optional() }).optional() })
    .optional(),
  expand,
});

/**
 * `/v1/payment_intents` and `/v1/charges`: read, plus confirm of the PaymentIntent an invoice
 * created (how a merchant's checkout or call center pays an invoice, e.g. a `default_incomplete`
 * subscription's first one). Standalone PaymentIntents are not emulated.
 */
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

  api.post('/payment_intents/:id/confirm', confirmSchema, ({ params, path, now, origin }) => {
    const pi = mustGet(store.paymentIntents, path.id ?? '', 'payment_intent', 'intent');
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
      throw invalidRequest(
        `This PaymentIntent's status is ${pi.status}; it cannot be confirmed in that state.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    const invoice = invoiceOfIntent(ctx, pi.id);
    if (invoice?.status !== 'open') {
      throw invalidRequest('The emulator confirms only the PaymentIntent of an open invoice.');
    }
    const pmId = params.payment_method ?? idOf(pi.payment_method) ?? undefined;
    if (pmId) assertAttachedTo(ctx, pmId, String(invoice.customer), 'payment_method');
    const moto = params.payment_method_options?.card?.moto ?? false;
    const outcome = collectInvoice(ctx, invoice, {
      kind: 'manual',
      ...(pmId ? { paymentMethodId: pmId } : {}),
      offSession: !moto && (params.off_session ?? false),
      moto,
      at: now,
      origin,
    });
    if (outcome.decline) {
      const { decline } = outcome;
      throw cardError({
        code: decline.failureCode,
        declineCode: decline.declineCode,
        message: decline.message,
        adviceCode: decline.adviceCode,
        networkDeclineCode: decline.networkDeclineCode,
        ...(outcome.charge ? { charge: outcome.charge.id } : {}),
        paymentIntent: copy(pi),
      });
    }
    return pi;
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

function invoiceOfIntent(ctx: EmulatorContext, paymentIntentId: string): Stripe.Invoice | null {
  const payment = ctx.store.paymentOfIntent(paymentIntentId);
  return payment ? (ctx.store.invoices.get(String(payment.invoice)) ?? null) : null;
}
