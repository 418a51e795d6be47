import type Stripe from 'stripe';
import type { VerifiedEngineEvent } from '../../plugin/core/billing-engine.js';
import type { Clock } from '../../plugin/core/clock.js';
import { SignatureError } from '../../plugin/core/errors.js';

/** stripe-node's default: a signature older than five minutes is refused (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Checks `Stripe-Signature` over the raw bytes with `stripe.webhooks.constructEvent`. The age of the
 * signature is measured against the injected clock (`receivedAt`, supported since stripe-node 23),
 * so tests and the sandbox can move time without every webhook going stale. `account` is the
 * signed event's Connect account (`event.account`), or null for the platform's own events.
 */
export function verifyStripeWebhook(
  stripe: Stripe,
  secret: string,
  clock: Clock,
  rawBody: Buffer,
  headers: Headers,
): VerifiedEngineEvent {
  const header = signatureHeader(headers);
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(
      rawBody,
      header,
      secret,
      WEBHOOK_TOLERANCE_SECONDS,
      undefined,
      clock.now().getTime(),
    );
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0]?.trim() : String(cause);
    throw new SignatureError(`Stripe webhook refused: ${reason}`, { cause });
  }
  const { id, type, created } = (event ?? {}) as Partial<Stripe.Event>;
  if (typeof id !== 'string' || typeof type !== 'string' || typeof created !== 'number') {
    throw new SignatureError('Stripe webhook refused: the signed body is not an event (id, type, created)');
  }
  // Connect: the connected account the event happened on; absent on the platform's own events.
  const account = typeof event.account === 'string' && event.account !== '' ? event.account : null;
  return { id, type, createdAt: new Date(created * 1000), account, payload: event };
}

function signatureHeader(headers: Headers): string {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'stripe-signature');
  const value = name === undefined ? undefined : headers[name];
  if (Array.isArray(value))
    throw new SignatureError('Stripe webhook refused: more than one Stripe-Signature header');
  if (!value) throw new SignatureError('Stripe webhook refused: no Stripe-Signature header');
  return value;
}
