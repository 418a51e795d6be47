import type express from 'express';
import type { Clock } from '../../../plugin/core/clock.js';
import type { StripeFault } from './fault-injection.js';
import type { StripeRateLimit } from './rate-limit.js';
import type { RequestCounter } from './request-counter.js';
import type { KeyPermissions } from './restricted-keys.js';

/** The one API version the emulator speaks (what stripe@23 pins). */
export const EMULATED_API_VERSION = '2026-10-28.endive';

export interface StripeEmulatorOptions {
  /** Where the emulator reads the time: renewals, retries and webhook retries follow it. */
  clock: Clock;
  /** The secret key clients must send as `Authorization: Bearer …`. Default `sk_test_emulator`. */
  apiKey?: string;
  /**
   * Days after the first failed attempt at which automatic retries run, like Stripe's
   * "4 retries within 2 weeks" schedule. Default [3, 5, 7, 14].
   */
  retrySchedule?: number[];
  /** What happens when the last retry fails. Default: cancel the subscription, leave the invoice past due. */
  afterFinalRetry?: AfterFinalRetry;
  /**
   * What re-enabling `auto_advance` does to retries whose time passed during the hold; Stripe does not
   * document it. Default `rearm`: the rest of the schedule resumes an hour later. `none`: they are
   * dropped, and with none left no further attempt is made (`next_payment_attempt` stays null).
   * `final_action`: they are dropped, and with none left `afterFinalRetry` is taken at once.
   */
  releaseRetry?: ReleaseRetryBehaviour;
  /**
   * Seconds after each failed webhook delivery before the next attempt (emulator clock).
   * Default [60, 300, 1800, 7200, 21600, 43200, 86400]: 8 attempts over about two days.
   */
  webhookRetrySchedule?: number[];
  /**
   * Which time goes into `Stripe-Signature: t=…`. `wall` (default) signs with real time so receivers
   * using stripe-node's default 300 s tolerance accept deliveries even when the emulator clock has
   * been moved; `clock` signs with the emulator clock (receivers then pass their own `receivedAt`).
   */
  webhookTimestamps?: 'clock' | 'wall';
  /**
   * How many webhook deliveries may be in flight at once. Default 1: one by one, each answered before
   * the next is sent, in the order the events were created. Stripe itself sends concurrently and
   * promises no order; a benchmark raises this so the emulator's delivery is not its bottleneck.
   */
  webhookConcurrency?: number;
  /**
   * Milliseconds every `/v1` request waits before it is handled: Stripe's processing time plus the
   * network, which a local emulator otherwise lacks. Default 0. For benchmarks (README "Benchmarks").
   */
  latencyMs?: number;
  /** Used to deliver webhooks and forwarding requests. Default: the global `fetch`. */
  fetchImpl?: typeof fetch;
  /**
   * Where `POST /v1/forwarding/requests` may send card details: destination URLs (matched without
   * their query string), or `'any'` to lift the allowlist. Default none: like Stripe before support
   * enables a destination, every forwarding request is refused. More can be added while running.
   */
  forwardingDestinations?: readonly string[] | 'any';
  /** Where the emulator writes one-line notes (webhook failures, timer errors). Default: silent. */
  log?: (line: string) => void;
  /**
   * A JSON file the emulator keeps its state in (README "State"): read at creation, written shortly
   * after each change and at `close`. Default: none, the state lives in memory only.
   */
  stateFile?: string;
}

export type ReleaseRetryBehaviour = 'rearm' | 'none' | 'final_action';

/** Stripe's "Manage failed payments" settings (Billing → Revenue recovery). */
export interface AfterFinalRetry {
  subscription: 'cancel' | 'leave_past_due' | 'mark_unpaid';
  invoice: 'leave_past_due' | 'mark_uncollectible';
}

export interface StripeEmulator {
  /** Serves `/v1/…` (the Stripe API) and `/_emulator/…` (control routes). Mount it or call `listen`. */
  readonly app: express.Express;
  /** The platform's secret key: its own objects, and its connected accounts' with `Stripe-Account`. */
  readonly apiKey: string;
  /** The platform's account id (`acct_…`), what `GET /v1/account` returns. */
  readonly accountId: string;
  /**
   * A new standalone account — an unrelated merchant with its own key, seeing only its own objects
   * (and able to connect accounts of its own). Same as `POST /_emulator/accounts`.
   */
  createStandaloneAccount(): { id: string; apiKey: string };
  /**
   * A restricted key (`rk_test_…`) of the platform, or of the standalone account `accountId`,
   * allowed only `permissions` (resource → `read`|`write`; see `restricted-keys.ts`). Same as
   * `POST /_emulator/restricted_keys`.
   */
  createRestrictedKey(permissions: KeyPermissions, accountId?: string): string;
  /**
   * Processes everything due at `clock.now()` on every account: renewals, retries, expiries, then
   * webhook deliveries. Idempotent.
   */
  runDue(): Promise<void>;
  /** Sends every webhook delivery that is due now (first attempts and retries). */
  deliverPendingWebhooks(): Promise<void>;
  /** Listens on `host:port` (default 127.0.0.1, port 0) and runs `runDue` about every 250 ms. */
  listen(port?: number, host?: string): Promise<StripeEmulatorServer>;
  /** Adds a destination forwarding requests may reach (see `forwardingDestinations`). */
  allowForwardingTo(url: string): void;
  /** The next matching API requests fail as Stripe does in an outage (see `fault-injection.ts`). */
  injectFault(fault: StripeFault): void;
  /**
   * At most `requests_per_second` API requests a second on the account (the platform by default),
   * the rest answered 429 `rate_limit` as Stripe's limiter does; `null` switches it off (`rate-limit.ts`).
   */
  setRateLimit(limit: StripeRateLimit | null, accountId?: string): void;
  /** API requests answered 429 by the rate limit so far. */
  readonly rateLimited: number;
  /** The `/v1` requests answered so far, counted by kind (method and path with ids as `:id`). */
  readonly requests: RequestCounter;
  /** Every event created so far on any account, oldest first, with its webhook deliveries. */
  readonly events: readonly StripeEventRecord[];
  /** Writes the state file now if anything changed since it was last written (no-op without `stateFile`). */
  saveState(): void;
  /** The signing secret of one of the platform's webhook endpoints (what its create answered once). */
  webhookEndpointSecret(endpointId: string): string | undefined;
  /** Stops the timer and every server started by `listen`, then writes the state file, if any. */
  close(): Promise<void>;
}

export interface StripeEmulatorServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `event.request`: the API request that caused an event, or nulls for Stripe's own automatic work. */
export interface EventOrigin {
  id: string | null;
  idempotency_key: string | null;
}

export const AUTOMATIC: EventOrigin = Object.freeze({ id: null, idempotency_key: null });

export interface EmulatorEvent {
  id: string;
  object: 'event';
  /** Only on events of a Connect connected account: that account's id. */
  account?: string;
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: EventOrigin;
  type: string;
}

export interface StripeEventRecord {
  readonly id: string;
  /** The account the event happened on (platform, standalone or connected). */
  readonly accountId: string;
  readonly type: string;
  /** `data.object.id`. */
  readonly objectId: string;
  /** `request.id`: null when Stripe (the emulator) acted on its own. */
  readonly requestId: string | null;
  readonly idempotencyKey: string | null;
  readonly created: number;
  readonly event: EmulatorEvent;
  readonly deliveries: readonly WebhookDeliveryRecord[];
}

export interface WebhookDeliveryRecord {
  readonly endpointId: string;
  readonly url: string;
  readonly attempts: readonly WebhookAttempt[];
  readonly delivered: boolean;
  /** Unix seconds (emulator clock) of the next attempt; null once delivered or given up. */
  readonly nextAttemptAt: number | null;
}

export interface WebhookAttempt {
  /** Unix seconds, emulator clock. */
  at: number;
  /** HTTP status, or null when the request failed (connection refused, timeout). */
  status: number | null;
  error: string | null;
}
