import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { fillCardFields, REPLACEMENTS, redactHeaders } from '../card-forwarding.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { apiError, invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, expand, metadata, pagination } from '../param-schemas.js';
import { materializeTestPaymentMethod } from '../payment-method-factory.js';
import { testCardByKey } from '../test-cards.js';

const header = z.strictObject({ name: z.string().min(1), value: z.string() });

const createSchema = z.strictObject({
  payment_method: z.string().max(5000),
  url: z.string().max(5000),
  replacements: z.array(z.enum(REPLACEMENTS)).min(1, 'replacements must not be empty'),
  request: z.strictObject({
    body: z.string().optional(),
    headers: z.array(header).optional(),
  }),
  metadata: metadata.optional(),
  expand,
});

const listSchema = z.strictObject({ ...pagination });

/** How long the emulator waits for a destination; Stripe states only "Stripe's limits". */
const DESTINATION_TIMEOUT_MS = 30_000;

/**
 * `/v1/forwarding/requests` (Vault and Forward): create, retrieve, list. Create sends the card the
 * PaymentMethod holds to an allowlisted destination, its blank card fields filled from the vault
 * (`card-forwarding.ts`), over real HTTP, and answers with the destination's response; the stored
 * object keeps the request with the card number and CVC masked, never the number itself.
 */
export function registerForwardingRequestRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;

  api.post('/forwarding/requests', createSchema, async ({ params, now }) => {
    if (!URL.canParse(params.url) || !/^https?:$/.test(new URL(params.url).protocol))
      throw invalidRequest(`Invalid URL: ${params.url}`, { param: 'url' });
    if (!ctx.settings.forwarding.allows(params.url)) {
      throw invalidRequest(
        `The destination URL ${params.url} is not supported by your forwarding configuration. Contact Stripe support to enable forwarding to this endpoint.`,
        { param: 'url' },
      );
    }
    const pm =
      materializeTestPaymentMethod(ctx, params.payment_method, now) ??
      mustGet(store.paymentMethods, params.payment_method, 'PaymentMethod', 'payment_method');
    const card = testCardByKey(store.cards.get(pm.id)?.testCardKey ?? '');
    if (pm.type !== 'card' || !pm.card || !card) {
      throw invalidRequest(
        `Forwarding requests support card PaymentMethods only; ${pm.id} is a ${pm.type}.`,
        {
          param: 'payment_method',
        },
      );
    }
    const rawBody = params.request.body ?? '';
    const filled =
      rawBody === ''
        ? { sent: '', redacted: '' }
        : fillCardFields(rawBody, params.replacements, {
            card,
            expMonth: pm.card.exp_month,
            expYear: pm.card.exp_year,
            holderName: pm.billing_details.name,
          });
    if (!filled) throw invalidRequest('request[body] must be a JSON object.', { param: 'request[body]' });

    const headers = [...(params.request.headers ?? [])];
    if (!headers.some((h) => h.name.toLowerCase() === 'content-type'))
      headers.push({ name: 'Content-Type', value: 'application/json' });
    const started = Date.now();
    let response: Response;
    try {
      response = await ctx.settings.fetchImpl(params.url, {
        method: 'POST',
        headers: headers.map((h) => [h.name, h.value] as [string, string]),
        body: filled.sent,
        signal: AbortSignal.timeout(DESTINATION_TIMEOUT_MS),
      });
    } catch (error) {
      ctx.settings.log(`stripe-emulator: forwarding to ${params.url} failed: ${String(error)}`);
      throw apiError(`The forwarding request could not reach ${params.url}.`);
    }
    const responseBody = await response.text();
    const forwarded: Stripe.Forwarding.Request = {
      id: newId('forwarding_request'),
      object: 'forwarding.request',
      created: now,
      livemode: false,
      metadata: applyMetadata({}, params.metadata),
      payment_method: pm.id,
      replacements: params.replacements,
      request_context: {
        destination_duration: Date.now() - started,
        destination_ip_address: await ipAddressOf(params.url),
      },
      request_details: {
        body: filled.redacted,
        headers: redactHeaders(headers),
        http_method: 'POST',
      },
      response_details: {
        body: responseBody,
        headers: [...response.headers].map(([name, value]) => ({ name, value })),
        status: response.status,
      },
      url: params.url,
    };
    store.forwardingRequests.set(forwarded.id, forwarded);
    return forwarded;
  });

  api.get('/forwarding/requests/:id', z.strictObject({ expand }), ({ path }) =>
    mustGet(store.forwardingRequests, path.id ?? '', 'forwarding.request'),
  );

  api.get('/forwarding/requests', listSchema, ({ params }) =>
    paginate(
      newestFirst(store.forwardingRequests.values()),
      params,
      '/v1/forwarding/requests',
      'forwarding.request',
    ),
  );
}

async function ipAddressOf(url: string): Promise<string> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    return '';
  }
}
