import type { Clock } from '../../../plugin/core/clock.js';
import type { SandboxWebhookTarget } from './sandbox-options.js';
import type { OrderEventName, SandboxOrder } from './sandbox-order.js';
import { signDelivery } from './webhook-signing.js';

/** One POST of one webhook event, successful or not. */
export interface WebhookDeliveryAttempt {
  readonly event: OrderEventName;
  /** FlexCharge's order id (the body's `OrderId`). */
  readonly orderId: string;
  /** The merchant account (MID) whose order it is; its target, else the default, received it. */
  readonly mid: string;
  readonly url: string;
  /** The receiver's HTTP status; absent when the request failed (see `error`). */
  readonly status?: number;
  /** Network error or timeout. */
  readonly error?: string;
  readonly isResent: boolean;
  /** Sandbox-clock time of the attempt. */
  readonly at: Date;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** True on the last attempt of an event the sandbox gave up on. */
  readonly gaveUp: boolean;
}

/**
 * Delay before attempt n+1 after attempt n failed, on the sandbox clock. The vendor documents none
 * (contract §9.5); ten attempts over about three days is what webhook senders commonly do.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [
  30_000,
  120_000,
  600_000,
  3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
  86_400_000,
  86_400_000,
] as const;
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;
/** Real time a receiver has to answer before the attempt counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface SavedWebhookDeliveries {
  readonly queues: Map<string, PendingEvent[]>;
  readonly attempts: readonly WebhookDeliveryAttempt[];
  readonly byMid: Map<string, SandboxWebhookTarget>;
  readonly target: SandboxWebhookTarget | null;
}

interface PendingEvent {
  readonly event: OrderEventName;
  readonly mid: string;
  readonly orderId: string;
  readonly externalOrderId: string;
  readonly confirmationId: string | null;
  readonly timeStamp: Date;
  attempts: number;
  nextAttemptAt: number;
}

/**
 * Webhook delivery (contract §9): PascalCase body, signed per attempt with a fresh nonce and date,
 * retried with back-off until a 2xx, `IsResent: true` on retries. Events of one order go out in
 * order: a later event waits until the one before it was delivered or given up. Events raised while
 * no target is configured wait for one.
 *
 * The portal registers webhooks per merchant account (§9.1), so each MID may have a target of its
 * own, URL and subscriber key; an order's events go to its MID's target, else to the default one.
 */
export class WebhookDeliveries {
  readonly attempts: WebhookDeliveryAttempt[] = [];
  /** The target of every MID that has none of its own. */
  target: SandboxWebhookTarget | undefined;
  readonly #byMid = new Map<string, SandboxWebhookTarget>();
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  readonly #log: (line: string) => void;
  readonly #queues = new Map<string, PendingEvent[]>();

  constructor(deps: {
    clock: Clock;
    fetchImpl: typeof fetch;
    log: (line: string) => void;
    target?: SandboxWebhookTarget;
  }) {
    this.#clock = deps.clock;
    this.#fetch = deps.fetchImpl;
    this.#log = deps.log;
    this.target = deps.target;
  }

  /**
   * For the state file: the events still owed (each order's queue), the attempts made, and the
   * targets. The default target is the one the sandbox is started with, when it is given one.
   */
  saveState(): SavedWebhookDeliveries {
    return { queues: this.#queues, attempts: this.attempts, byMid: this.#byMid, target: this.target ?? null };
  }

  loadState(saved: SavedWebhookDeliveries): void {
    for (const [orderId, queue] of saved.queues) this.#queues.set(orderId, queue);
    this.attempts.push(...saved.attempts);
    for (const [mid, target] of saved.byMid) this.#byMid.set(mid, target);
    this.target ??= saved.target ?? undefined;
  }

  /** Sets (or, with `undefined`, removes) the target of one MID; compared case-insensitively. */
  setMidTarget(mid: string, target: SandboxWebhookTarget | undefined): void {
    if (target) this.#byMid.set(mid.toLowerCase(), target);
    else this.#byMid.delete(mid.toLowerCase());
  }

  /** Where an event of this MID goes now: its own target, else the default. */
  targetFor(mid: string): SandboxWebhookTarget | undefined {
    return this.#byMid.get(mid.toLowerCase()) ?? this.target;
  }

  enqueue(order: SandboxOrder, event: OrderEventName, at: Date): void {
    const queue = this.#queues.get(order.orderSessionKey) ?? [];
    queue.push({
      event,
      mid: order.mid,
      orderId: order.orderSessionKey,
      externalOrderId: order.externalOrderId,
      confirmationId: order.confirmationId,
      timeStamp: at,
      attempts: 0,
      nextAttemptAt: at.getTime(),
    });
    this.#queues.set(order.orderSessionKey, queue);
  }

  /** Events not yet delivered nor given up. */
  get pendingCount(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.length;
    return count;
  }

  /** Attempts every event whose time has come, each order's events in order. */
  async deliverDue(): Promise<void> {
    for (const [orderId, queue] of this.#queues) {
      for (let head = queue[0]; head; head = queue[0]) {
        const target = this.targetFor(head.mid);
        if (!target || head.nextAttemptAt > this.#clock.now().getTime()) break;
        const settled = await this.#attempt(head, target);
        if (!settled) break;
        queue.shift();
      }
      if (queue.length === 0) this.#queues.delete(orderId);
    }
  }

  /** True when the event is done with: delivered, or given up. */
  async #attempt(pending: PendingEvent, target: SandboxWebhookTarget): Promise<boolean> {
    const now = this.#clock.now();
    const isResent = pending.attempts > 0;
    pending.attempts += 1;
    const body = webhookBody(pending, isResent);
    const headers = signDelivery({
      subscriberKey: target.subscriberKey,
      host: new URL(target.url).host,
      body,
      date: now,
    });
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await this.#fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const delivered = status !== undefined && status >= 200 && status < 300;
    const gaveUp = !delivered && pending.attempts >= WEBHOOK_MAX_ATTEMPTS;
    this.attempts.push({
      event: pending.event,
      orderId: pending.orderId,
      mid: pending.mid,
      url: target.url,
      ...(status === undefined ? {} : { status }),
      ...(error === undefined ? {} : { error }),
      isResent,
      at: now,
      attempt: pending.attempts,
      gaveUp,
    });
    if (gaveUp)
      this.#log(
        `webhook ${pending.event} for ${pending.orderId}: gave up after ${pending.attempts} attempts`,
      );
    if (!delivered && !gaveUp) {
      pending.nextAttemptAt = now.getTime() + (WEBHOOK_RETRY_DELAYS_MS[pending.attempts - 1] ?? 86_400_000);
    }
    return delivered || gaveUp;
  }
}

/** The body exactly as contract §9.3's sample: key order, µs timestamp, PascalCase. */
export function webhookBody(
  pending: Omit<PendingEvent, 'attempts' | 'nextAttemptAt' | 'mid'>,
  isResent: boolean,
): string {
  return JSON.stringify({
    Event: pending.event,
    TimeStamp: pending.timeStamp.toISOString().replace(/Z$/, '000Z'),
    EventData: null,
    ExternalOrderId: pending.externalOrderId,
    OrderId: pending.orderId,
    ConfirmationId: pending.confirmationId,
    IsTestMode: true,
    IsResent: isResent,
  });
}
