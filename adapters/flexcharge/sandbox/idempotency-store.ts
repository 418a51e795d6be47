import { createHash } from 'node:crypto';
import { type Clock, DAY_MS } from '../../../plugin/core/clock.js';

/**
 * Idempotency keys (contract §10, §8.4): a key replays the response it first produced for 24 hours
 * on the sandbox clock; the same key with a different payload is a 409. Keys are per merchant and
 * shared by every operation that takes one (evaluate, cancel, capture), so reusing an evaluate's key
 * for a cancel is a conflict too. Only successful responses are remembered: a refused request can be
 * corrected and sent again with the same key.
 */
export const IDEMPOTENCY_WINDOW_MS = DAY_MS;

export type IdempotencyCheck =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'conflict'; readonly firstSeenAt: Date };

export interface Remembered {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
  readonly at: Date;
}

export class IdempotencyStore {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Remembered>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  check(mid: string, key: string, fingerprint: string): IdempotencyCheck {
    const entry = this.#entries.get(`${mid}\n${key}`);
    if (!entry || this.#clock.now().getTime() - entry.at.getTime() >= IDEMPOTENCY_WINDOW_MS) {
      return { kind: 'new' };
    }
    if (entry.fingerprint !== fingerprint) return { kind: 'conflict', firstSeenAt: entry.at };
    return { kind: 'replay', status: entry.status, body: entry.body };
  }

  /** For the state file: the keys still within their window. */
  saveState(): Map<string, Remembered> {
    const now = this.#clock.now().getTime();
    for (const [key, entry] of this.#entries)
      if (now - entry.at.getTime() >= IDEMPOTENCY_WINDOW_MS) this.#entries.delete(key);
    return this.#entries;
  }

  loadState(saved: Map<string, Remembered>): void {
    for (const [key, entry] of saved) this.#entries.set(key, entry);
  }

  remember(mid: string, key: string, fingerprint: string, status: number, body: unknown): void {
    this.#entries.set(`${mid}\n${key}`, { fingerprint, status, body, at: this.#clock.now() });
  }
}

/** A stable hash of an operation and its payload: key order and whitespace do not matter. */
export function fingerprintOf(operation: string, payload: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${stableJson(payload)}`)
    .digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
