import type Stripe from 'stripe';
import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { copy, type EmulatorContext, mustGet } from '../emulator-store.js';
import { cardError, invalidRequest } from '../errors.js';
import { emitUpdated } from '../event-log.js';
import { applyFinalRetryPolicy, collectInvoice, invoiceState } from '../invoice-collection.js';
import {
  invoicePaymentIntent,
  invoiceSubscriptionId,
  markInvoicePaid,
  markInvoiceUncollectible,
  voidInvoice,
} from '../invoice-lifecycle.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, boolean, expand, metadata, pagination } from '../param-schemas.js';
import { refreshNextPaymentAttempt, resumeAfterHold } from '../retry-schedule.js';
import { assertAttachedTo } from '../subscription-lifecycle.js';
import { syncSubscriptionStatus } from '../subscription-status.js';

const updateSchema = z.strictObject({
  auto_advance: boolean.optional(),
  default_payment_method: z.string().optional(),
  description: z.string().optional(),
  metadata: metadata.optional(),
  expand,
});

const paySchema = z.strictObject({
  paid_out_of_band: boolean.optional(),
  payment_method: z.string().optional(),
  off_session: boolean.optional(),
  expand,
});

const listSchema = z.strictObject({
  ...pagination,
  customer: z.string().optional(),
  subscription: z.string().optional(),
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).optional(),
  collection_method: z.enum(['charge_automatically', 'send_invoice']).optional(),
});

const FINAL: ReadonlySet<string> = new Set(['paid', 'uncollectible', 'void']);

/**
 * `/v1/invoices`: retrieve, list, update (`auto_advance` holds and releases Stripe's retries), pay
 * (a real attempt or `paid_out_of_band`), void, mark_uncollectible, lines.
 */
export function registerInvoiceRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;
  const find = (id: string) => mustGet(store.invoices, id, 'invoice');

  api.get('/invoices/:id', z.strictObject({ expand }), ({ path }) => find(path.id ?? ''));

  api.get('/invoices/:id/lines', z.strictObject(pagination), ({ path, params }) => {
    const invoice = find(path.id ?? '');
    return paginate(invoice.lines.data, params, `/v1/invoices/${invoice.id}/lines`, 'line item');
  });

  api.get('/invoices', listSchema, ({ params }) => {
    const among = params.subscription
      ? store.invoicesOfSubscription(params.subscription)
      : params.customer
        ? store.invoicesOfCustomer(params.customer)
        : store.invoices.values();
    const invoices = newestFirst(among).filter(
      (inv) =>
        (!params.customer || inv.customer === params.customer) &&
        (!params.subscription || invoiceSubscriptionId(inv) === params.subscription) &&
        (!params.status || inv.status === params.status) &&
        (!params.collection_method || inv.collection_method === params.collection_method),
    );
    return paginate(invoices, params, '/v1/invoices', 'invoice');
  });

  api.post('/invoices/:id', updateSchema, ({ params, path, now, origin }) => {
    const invoice = find(path.id ?? '');
    const touchesCollection =
      params.auto_advance !== undefined ||
      params.default_payment_method !== undefined ||
      params.description !== undefined;
    if (touchesCollection && FINAL.has(invoice.status ?? '')) {
      throw invalidRequest(
        `You can only update \`auto_advance\`, \`default_payment_method\` or \`description\` on draft or open invoices; this invoice is ${invoice.status}.`,
        {
          code: 'invoice_not_editable',
          param: params.auto_advance !== undefined ? 'auto_advance' : undefined,
        },
      );
    }
    const pm = params.default_payment_method;
    if (pm) assertAttachedTo(ctx, pm, String(invoice.customer), 'default_payment_method');
    const before = copy(invoice);
    const state = invoiceState(ctx, invoice.id);
    if (pm !== undefined) invoice.default_payment_method = pm || null;
    if (params.description !== undefined) invoice.description = params.description || null;
    invoice.metadata = applyMetadata(invoice.metadata ?? {}, params.metadata);
    let dunningOver = false;
    if (params.auto_advance !== undefined && params.auto_advance !== invoice.auto_advance) {
      invoice.auto_advance = params.auto_advance;
      if (params.auto_advance) dunningOver = resumeAfterHold(ctx, invoice, state, now);
      else refreshNextPaymentAttempt(ctx, invoice, state);
    }
    emitUpdated(ctx, 'invoice.updated', before, invoice, origin, now);
    if (dunningOver) applyFinalRetryPolicy(ctx, invoice, now, origin);
    return invoice;
  });

  api.post('/invoices/:id/pay', paySchema, ({ params, path, now, origin }) => {
    const invoice = find(path.id ?? '');
    if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid');
    if (invoice.status === 'void') throw invalidRequest('You cannot pay a void invoice.');
    if (params.paid_out_of_band && params.payment_method) {
      throw invalidRequest(
        'You may only specify one of these parameters: paid_out_of_band, payment_method.',
        {
          code: 'parameters_exclusive',
        },
      );
    }
    if (params.paid_out_of_band) {
      markInvoicePaid(ctx, invoice, 'out_of_band', now, origin);
      syncSubscription(ctx, invoice, now, origin);
      return invoice;
    }
    if (params.payment_method)
      assertAttachedTo(ctx, params.payment_method, String(invoice.customer), 'payment_method');
    const outcome = collectInvoice(ctx, invoice, {
      kind: 'manual',
      paymentMethodId: params.payment_method,
      offSession: params.off_session ?? true,
      at: now,
      origin,
    });
    if (outcome.decline) throw declineError(ctx, invoice, outcome.decline, outcome.charge);
    return invoice;
  });

  api.post('/invoices/:id/void', z.strictObject({ expand }), ({ path, now, origin }) => {
    const invoice = find(path.id ?? '');
    if (invoice.status !== 'open') {
      throw invalidRequest(`You can only void open invoices; this invoice is ${invoice.status}.`);
    }
    voidInvoice(ctx, invoice, now, origin);
    syncSubscription(ctx, invoice, now, origin);
    return invoice;
  });

  api.post('/invoices/:id/mark_uncollectible', z.strictObject({ expand }), ({ path, now, origin }) => {
    const invoice = find(path.id ?? '');
    if (invoice.status !== 'open') {
      throw invalidRequest(
        `You can only mark open invoices as uncollectible; this invoice is ${invoice.status}.`,
      );
    }
    markInvoiceUncollectible(ctx, invoice, 'user_forgiven', now, origin);
    syncSubscription(ctx, invoice, now, origin);
    return invoice;
  });
}

function syncSubscription(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  now: number,
  origin: Parameters<typeof syncSubscriptionStatus>[3],
) {
  const subId = invoiceSubscriptionId(invoice);
  if (subId) syncSubscriptionStatus(ctx, subId, now, origin);
}

/** A declined `pay` answers 402 with the decline, after the invoice recorded the failed attempt. */
function declineError(
  ctx: EmulatorContext,
  invoice: Stripe.Invoice,
  decline: NonNullable<ReturnType<typeof collectInvoice>['decline']>,
  charge: Stripe.Charge | null,
) {
  const pi = invoicePaymentIntent(ctx, invoice);
  return cardError({
    code: decline.failureCode,
    declineCode: decline.declineCode,
    message: decline.message,
    adviceCode: decline.adviceCode,
    networkDeclineCode: decline.networkDeclineCode,
    ...(charge ? { charge: charge.id } : {}),
    ...(pi ? { paymentIntent: copy(pi) } : {}),
  });
}
