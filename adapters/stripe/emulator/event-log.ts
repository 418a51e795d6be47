import { copy, type EmulatorContext, type EventState, type WebhookEndpointState } from './emulator-store.js';
import { EMULATED_API_VERSION, type EmulatorEvent, type EventOrigin } from './emulator-types.js';
import { newId } from './ids.js';
import { previousAttributes } from './object-diff.js';

/**
 * Creates events the way Stripe does: a snapshot of the object at that moment, rendered in the one API
 * version the emulator speaks, `request` naming the API call that caused it (nulls for automatic
 * work), and one webhook delivery queued per endpoint that was enabled for the type at that time.
 * An event of a connected account names it in `account` and goes to its platform's Connect endpoints.
 */
export function emitEvent(
  ctx: EmulatorContext,
  type: string,
  object: { id: string },
  origin: EventOrigin,
  at: number,
  previous?: Record<string, unknown> | null,
): EmulatorEvent {
  const endpoints = subscribedEndpoints(ctx).filter(
    ({ endpoint }) => endpoint.status === 'enabled' && listensTo(endpoint.enabled_events, type),
  );
  const event: EmulatorEvent = {
    id: newId('event'),
    object: 'event',
    ...(ctx.account.platform ? { account: ctx.account.id } : {}),
    api_version: EMULATED_API_VERSION,
    created: at,
    data: { object: copy(object) as unknown as Record<string, unknown> },
    livemode: false,
    pending_webhooks: endpoints.length,
    request: { id: origin.id, idempotency_key: origin.idempotency_key },
    type,
  };
  if (previous) event.data.previous_attributes = previous;
  const state: EventState = {
    event,
    deliveries: endpoints.map(({ endpoint }) => ({
      endpointId: endpoint.id,
      url: endpoint.url,
      attempts: [],
      delivered: false,
      nextAttemptAt: at,
    })),
  };
  ctx.store.events.set(event.id, state);
  return event;
}

/** Emits `type` (an `*.updated` event) with `previous_attributes`, unless nothing changed. */
export function emitUpdated<T extends { id: string }>(
  ctx: EmulatorContext,
  type: string,
  before: T,
  after: T,
  origin: EventOrigin,
  at: number,
): void {
  const previous = previousAttributes(before, after);
  if (previous) emitEvent(ctx, type, after, origin, at, previous);
}

/**
 * Runs `mutate` on `object` and emits `type` with what changed. The common shape of every
 * state change that Stripe reports as `*.updated`.
 */
export function updateAndEmit<T extends { id: string }>(
  ctx: EmulatorContext,
  type: string,
  object: T,
  origin: EventOrigin,
  at: number,
  mutate: (object: T) => void,
): void {
  const before = copy(object);
  mutate(object);
  emitUpdated(ctx, type, before, object, origin, at);
}

/**
 * Stripe's split between account and Connect endpoints: an account's own endpoints (`connect` false)
 * get its events; its platform's endpoints created with `connect=true` get the events of every
 * account connected to that platform, and never the platform's own.
 */
function subscribedEndpoints(ctx: EmulatorContext): WebhookEndpointState[] {
  const own = [...ctx.store.webhookEndpoints.values()].filter((e) => !e.connect);
  const platform = ctx.account.platform;
  if (!platform) return own;
  return [...own, ...[...platform.store.webhookEndpoints.values()].filter((e) => e.connect)];
}

function listensTo(enabled: readonly string[], type: string): boolean {
  return enabled.includes('*') || enabled.includes(type);
}
