import type { EmulatorContext, IdempotencyEntry } from './emulator-store.js';
import { idempotencyError } from './errors.js';
import { deepEqual } from './object-diff.js';
import { DAY_SECONDS, unixSeconds } from './time.js';

export interface IdempotentRequest {
  method: string;
  path: string;
  params: unknown;
}

export interface IdempotentCall {
  /** Set when the key was used before with the same request: answer with the stored response. */
  replay: { status: number; body: unknown; requestId: string } | null;
  complete(status: number, body: unknown, requestId: string): void;
  /** Forget the key (the request failed validation, so Stripe stored nothing). */
  abandon(): void;
}

/**
 * Stripe's idempotency: the first request with a key stores its response for 24 hours; the same key
 * with the same endpoint and parameters replays it; a different endpoint or different parameters is
 * an `idempotency_error`; a key whose first request is still running gets a 409.
 */
export function beginIdempotent(
  ctx: EmulatorContext,
  key: string,
  request: IdempotentRequest,
): IdempotentCall {
  const { idempotency } = ctx.store;
  const now = unixSeconds(ctx.clock);
  // stripe-node sends a key with every POST, so a long demo would otherwise keep them all.
  if (idempotency.size > 1_000) {
    for (const [stored, entry] of idempotency) {
      if (entry.createdAt + DAY_SECONDS < now) idempotency.delete(stored);
    }
  }
  const existing = idempotency.get(key);
  if (existing && existing.createdAt + DAY_SECONDS >= now) {
    if (existing.method !== request.method || existing.path !== request.path) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${existing.method} ${existing.path}' vs '${request.method} ${request.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (!deepEqual(existing.params, request.params)) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (existing.response === null) {
      throw idempotencyError(
        `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        409,
      );
    }
    return { replay: existing.response, complete: () => undefined, abandon: () => undefined };
  }
  const entry: IdempotencyEntry = {
    ...request,
    params: structuredClone(request.params),
    createdAt: now,
    response: null,
  };
  idempotency.set(key, entry);
  return {
    replay: null,
    complete: (status, body, requestId) => {
      entry.response = { status, body, requestId };
    },
    abandon: () => {
      if (idempotency.get(key) === entry) idempotency.delete(key);
    },
  };
}
