import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { mapStripeError } from './map-stripe-error.js';

/** A request for Stripe to send somewhere, with card fields Stripe fills from its vault. */
export interface ForwardedCall {
  readonly paymentMethodId: string;
  readonly url: string;
  /** JSON with the card fields blank: Stripe fills them; we never hold the card details. */
  readonly body: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly replacements: readonly Stripe.Forwarding.RequestCreateParams.Replacement[];
  readonly metadata?: Record<string, string>;
}

/** The destination's answer, as Stripe relays it. */
export interface ForwardedAnswer {
  /** The forwarding request's id (`fwdreq_…`), for support. */
  readonly id: string;
  readonly status: number;
  readonly body: string;
}

/**
 * `POST /v1/forwarding/requests` (Vault and Forward). The idempotency key is a digest of the whole
 * request: a retry of the same call (a lost response) replays Stripe's first answer instead of
 * forwarding the card again; any other call (a fresh access token in the headers) is a new request,
 * which Stripe would otherwise refuse as a key reused with different parameters. Stripe's refusals
 * (a destination not enabled, a key without the Forwarding permission) throw as `mapStripeError` maps them.
 */
export async function forwardPaymentMethod(stripe: Stripe, call: ForwardedCall): Promise<ForwardedAnswer> {
  const params: Stripe.Forwarding.RequestCreateParams = {
    payment_method: call.paymentMethodId,
    url: call.url,
    replacements: [...call.replacements],
    request: { body: call.body, headers: call.headers.map((h) => ({ name: h.name, value: h.value })) },
    ...(call.metadata ? { metadata: call.metadata } : {}),
  };
  const digest = createHash('sha256').update(JSON.stringify(params)).digest('base64url').slice(0, 32);
  const forwarded = await stripe.forwarding.requests
    .create(params, { idempotencyKey: `flexcharge-mit-forward-${call.paymentMethodId}-${digest}` })
    .catch((error: unknown) => {
      throw mapStripeError(error, `forward ${call.paymentMethodId} to ${call.url}`);
    });
  const response = forwarded.response_details;
  return { id: forwarded.id, status: response?.status ?? 0, body: response?.body ?? '' };
}

/** A card PaymentMethod as the tokenizer needs it: no card details, only what names the holder. */
export interface CardOnFile {
  readonly id: string;
  readonly customerId: string | null;
  readonly last4: string | null;
  readonly holderName: string | null;
  readonly email: string | null;
  /** `metadata.flexcharge_token`, a token the checkout already put there. */
  readonly metadataToken: string | null;
}

/**
 * The card PaymentMethods to consider: one by id, a customer's, or every customer's (Stripe lists
 * payment methods per customer). Each holder's name falls back to the customer's.
 */
export async function* cardsOnFile(
  stripe: Stripe,
  target: { paymentMethodId: string } | { customerId: string } | { all: true },
  tokenKey: string,
): AsyncGenerator<CardOnFile> {
  try {
    yield* listCardsOnFile(stripe, target, tokenKey);
  } catch (error) {
    throw mapStripeError(error, 'list the cards on file');
  }
}

async function* listCardsOnFile(
  stripe: Stripe,
  target: { paymentMethodId: string } | { customerId: string } | { all: true },
  tokenKey: string,
): AsyncGenerator<CardOnFile> {
  const names = new Map<string, { name: string | null; email: string | null }>();
  const customerOf = async (id: string | null) => {
    if (id === null) return { name: null, email: null };
    if (!names.has(id)) {
      const customer = await stripe.customers.retrieve(id);
      names.set(
        id,
        customer.deleted
          ? { name: null, email: null }
          : { name: customer.name ?? null, email: customer.email },
      );
    }
    return names.get(id) ?? { name: null, email: null };
  };
  const view = async (pm: Stripe.PaymentMethod): Promise<CardOnFile> => {
    const customerId = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
    const customer = await customerOf(customerId);
    return {
      id: pm.id,
      customerId,
      last4: pm.card?.last4 ?? null,
      holderName: pm.billing_details.name || customer.name || null,
      email: pm.billing_details.email || customer.email || null,
      metadataToken: pm.metadata?.[tokenKey] || null,
    };
  };
  if ('paymentMethodId' in target) {
    const pm = await stripe.paymentMethods.retrieve(target.paymentMethodId);
    if (pm.type === 'card') yield await view(pm);
    return;
  }
  const customers = 'customerId' in target ? [target.customerId] : stripe.customers.list({ limit: 100 });
  for await (const customer of customers) {
    const id = typeof customer === 'string' ? customer : customer.id;
    for await (const pm of stripe.paymentMethods.list({ customer: id, type: 'card', limit: 100 }))
      yield await view(pm);
  }
}
