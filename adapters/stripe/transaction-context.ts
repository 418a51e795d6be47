import { isIP } from 'node:net';
import type Stripe from 'stripe';
import type { MetadataKeys, TransactionContext } from '../../plugin/core/billing-engine.js';
import type { OrderSource } from '../../plugin/core/merchant-settings.js';

/** The keys a merchant's Stripe objects use unless it configured others (migration 0008's defaults). */
export const DEFAULT_METADATA_KEYS: MetadataKeys = { site: 'flexcharge_site', orderChannel: 'order_channel' };

/**
 * Order-channel metadata values that mean an agent took the order, compared trimmed and
 * case-insensitively. Any other value (`website`, `web`, `app`, …) means the website.
 */
export const CALL_CENTER_CHANNELS: ReadonlySet<string> = new Set(['call_center', 'phone', 'moto']);

type Metadata = Stripe.Metadata | null | undefined;

/** Where a merchant's checkout records the shopper's IP address (Stripe exposes none). */
export const CUSTOMER_IP_KEY = 'customer_ip';

/**
 * Whether the charge was taken as MOTO. Stripe takes the flag as a confirm-time parameter
 * (`payment_method_options.card.moto` on the PaymentIntent) and reports it on the resulting charge as
 * `payment_method_details.card.moto`; the PaymentIntent object does not echo it back.
 */
export function isMoto(charge: Stripe.Charge | null | undefined): boolean {
  return charge?.payment_method_details?.card?.moto === true;
}

/** The first non-blank value of `key`, looking at each metadata object in turn. */
export function firstMetadataValue(sources: readonly Metadata[], key: string): string | null {
  for (const metadata of sources) {
    const value = metadata?.[key]?.trim();
    if (value) return value;
  }
  return null;
}

/**
 * `call_center` when the payment was MOTO, or when the first of `channelSources` (most specific
 * first) that carries the order-channel key says call center; otherwise `website`.
 */
export function orderSourceOf(
  charge: Stripe.Charge | null | undefined,
  channelSources: readonly Metadata[],
  keys: MetadataKeys,
): OrderSource {
  if (isMoto(charge)) return 'call_center';
  const channel = firstMetadataValue(channelSources, keys.orderChannel);
  return channel && CALL_CENTER_CHANNELS.has(channel.toLowerCase()) ? 'call_center' : 'website';
}

/** What the context of a payment is built from; everything but `keys` may be missing. */
export interface ContextEvidence {
  readonly keys: MetadataKeys;
  /** The charge of the payment (the failed one for a renewal). */
  readonly charge: Stripe.Charge | null;
  /** Whether nobody was present: Stripe Billing's own attempt, or an off-session charge. */
  readonly offSession: boolean;
  /** Order channel metadata, most specific first: invoice, subscription, customer, payment intent. */
  readonly channelSources: readonly Metadata[];
  readonly siteMetadata: string | null;
}

/**
 * The port's context. A MOTO payment is customer-initiated whatever else holds (an agent keyed the
 * card in for a customer on the phone); otherwise the payment is the merchant's when it was made off
 * session, and the customer's when they were present.
 */
export function transactionContextOf(evidence: ContextEvidence): TransactionContext {
  const moto = isMoto(evidence.charge);
  const ip = firstMetadataValue(evidence.channelSources, CUSTOMER_IP_KEY);
  return {
    initiator: !moto && evidence.offSession ? 'merchant' : 'customer',
    orderSource: orderSourceOf(evidence.charge, evidence.channelSources, evidence.keys),
    siteMetadata: evidence.siteMetadata,
    ...(ip && isIP(ip) ? { customerIp: ip } : {}),
  };
}

/**
 * Whether a payment was made without the customer, from what Stripe records of it, strongest first:
 * MOTO (an agent with the customer on the line) → no; a stored-credential MIT → yes; 3-D Secure or
 * a card being saved for later (the customer was there) → no; Stripe Billing's own attempt or a
 * renewal (`subscription_cycle`) → yes; anything else (a subscription's first invoice, a one-off
 * invoice paid with the customer) → no.
 */
export function isOffSessionPayment(input: {
  readonly charge: Stripe.Charge | null;
  readonly paymentIntent: Stripe.PaymentIntent | null;
  readonly billingReason: string | null;
  readonly engineInitiated: boolean;
}): boolean {
  const card = input.charge?.payment_method_details?.card;
  if (isMoto(input.charge)) return false;
  if (card?.stored_credential_usage) return true;
  if (card?.three_d_secure || card?.setup_credential_usage) return false;
  if (input.engineInitiated) return true;
  if (input.paymentIntent?.setup_future_usage) return false;
  return input.billingReason === 'subscription_cycle';
}
