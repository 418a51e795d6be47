import type { DeliveryState, EmulatorContext, EventState, WebhookEndpointState } from './emulator-store.js';
import { unixSeconds } from './time.js';
import { signatureHeader } from './webhook-signature.js';

export const DEFAULT_WEBHOOK_RETRY_SCHEDULE: readonly number[] = [
  60, 300, 1_800, 7_200, 21_600, 43_200, 86_400,
];

/** How long one delivery may take before it counts as failed (Stripe waits at most about 20 s). */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Sends every delivery that is due, in the order the events were created: a POST of the event as
 * JSON, signed for the endpoint. A 2xx marks it delivered; anything else (or no answer) schedules the
 * next attempt after the configured backoff, until the schedule runs out. With `webhookConcurrency`
 * above 1, that many are in flight at once (started in creation order, answered in any order).
 */
export async function deliverDueWebhooks(ctx: EmulatorContext): Promise<void> {
  const now = unixSeconds(ctx.clock);
  const limit = ctx.settings.webhookConcurrency;
  const inFlight = new Set<Promise<void>>();
  for (const state of ctx.store.events.values()) {
    for (const delivery of state.deliveries) {
      if (delivery.delivered || delivery.nextAttemptAt === null || delivery.nextAttemptAt > now) continue;
      // A connected account's events go to its platform's Connect endpoints.
      const endpoint =
        ctx.store.webhookEndpoints.get(delivery.endpointId) ??
        ctx.account.platform?.store.webhookEndpoints.get(delivery.endpointId);
      if (endpoint?.endpoint.status !== 'enabled') {
        delivery.nextAttemptAt = null;
        continue;
      }
      // Each attempt goes to the endpoint's URL as it is now: an endpoint moved (updated URL, or a
      // restarted receiver on another port) receives the retries still owed to it.
      delivery.url = endpoint.endpoint.url;
      if (limit <= 1) {
        await attemptDelivery(ctx, state, delivery, endpoint, now);
        continue;
      }
      const attempt: Promise<void> = attemptDelivery(ctx, state, delivery, endpoint, now).finally(() =>
        inFlight.delete(attempt),
      );
      inFlight.add(attempt);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
}

async function attemptDelivery(
  ctx: EmulatorContext,
  state: EventState,
  delivery: DeliveryState,
  endpoint: WebhookEndpointState,
  now: number,
): Promise<void> {
  const payload = JSON.stringify({ ...state.event, pending_webhooks: pendingCount(state) }, null, 2);
  const timestamp = ctx.settings.webhookTimestamps === 'wall' ? Math.floor(Date.now() / 1000) : now;
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await ctx.settings.fetchImpl(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signatureHeader(payload, endpoint.secret, timestamp),
      },
      body: payload,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = response.status;
    await response.arrayBuffer().catch(() => undefined);
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  delivery.attempts.push({ at: now, status, error });
  if (status !== null && status >= 200 && status < 300) {
    delivery.delivered = true;
    delivery.nextAttemptAt = null;
  } else {
    const delay = ctx.settings.webhookRetrySchedule[delivery.attempts.length - 1];
    delivery.nextAttemptAt = delay === undefined ? null : now + delay;
    ctx.settings.log(
      `stripe-emulator: webhook ${state.event.type} (${state.event.id}) to ${delivery.url} failed: ${error ?? `HTTP ${status}`}` +
        (delivery.nextAttemptAt === null ? '; giving up' : `; retrying in ${delay} s`),
    );
  }
  state.event.pending_webhooks = pendingCount(state);
}

function pendingCount(state: EventState): number {
  return state.deliveries.filter((d) => !d.delivered).length;
}
