import type Stripe from 'stripe';
import { ProviderError } from '../../plugin/core/errors.js';
import { stripeCall } from './map-stripe-error.js';

/** `invoice.payment_failed` events read at most, newest first, before giving up on the event. */
const MAX_EVENTS_SCANNED = 500;

export interface EngineInitiated {
  readonly engineInitiated: boolean;
  /** What decided it (see `decideEngineInitiated`). */
  readonly basis: 'event' | 'charge' | 'none';
  /** Unix seconds of the failure event, when it was found. */
  readonly eventCreated: number | null;
}

/**
 * Whether the failed attempt was Stripe Billing's own (the renewal charge or a Smart Retry) rather
 * than an API call such as a merchant's `invoices.pay`. The invoice carries no such flag, so:
 *
 * 1. `event`: the `invoice.payment_failed` event of that attempt (the newest one for this invoice,
 *    not older than the failed charge) has `request.id === null`, which is how Stripe marks work it
 *    did on its own. Found through `events.list` (Stripe keeps 30 days; needs Events: read).
 * 2. `charge`: when that event is out of reach (older, or the key may not read events), the failed
 *    charge is a stored-credential recurring MIT (`payment_method_details.card.stored_credential_usage
 *    === 'recurring'`, endive). This alone cannot tell Billing's attempt from an off-session
 *    `invoices.pay`, hence only the fallback.
 * 3. `none`: neither is available: not engine-initiated.
 */
export async function decideEngineInitiated(
  stripe: Stripe,
  input: { invoiceId: string; failedCharge: Stripe.Charge | null; notBefore: number },
): Promise<EngineInitiated> {
  const event = await findFailureEvent(stripe, input.invoiceId, input.notBefore);
  if (event) {
    return { engineInitiated: event.request?.id == null, basis: 'event', eventCreated: event.created };
  }
  const usage = input.failedCharge?.payment_method_details?.card?.stored_credential_usage;
  if (usage) return { engineInitiated: usage === 'recurring', basis: 'charge', eventCreated: null };
  return { engineInitiated: false, basis: 'none', eventCreated: null };
}

/** The newest `invoice.payment_failed` for the invoice created at or after `notBefore` (unix s). */
async function findFailureEvent(
  stripe: Stripe,
  invoiceId: string,
  notBefore: number,
): Promise<Stripe.Event | null> {
  try {
    return await stripeCall(`list invoice.payment_failed events for ${invoiceId}`, async () => {
      let scanned = 0;
      // Lists run newest first: stop at the first event older than the failed attempt.
      for await (const event of stripe.events.list({ type: 'invoice.payment_failed', limit: 100 })) {
        if (event.created < notBefore || ++scanned > MAX_EVENTS_SCANNED) return null;
        if ((event.data.object as { id?: unknown }).id === invoiceId) return event;
      }
      return null;
    });
  } catch (error) {
    // A restricted key without Events: read still gets the charge-based answer.
    if (error instanceof ProviderError && error.statusCode === 403) return null;
    throw error;
  }
}
