import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../plugin/core/clock.js';
import type { RuleDecision } from './outcome-rules.js';
import type { NewOrder, OrderEventName, OrderState, RefundRecord, SandboxOrder } from './sandbox-order.js';

type Stored = { -readonly [K in keyof SandboxOrder]: SandboxOrder[K] } & {
  history: SandboxOrder['history'][number][];
  refunds: RefundRecord[];
};

const INITIAL_STATE: Record<RuleDecision['status'], OrderState> = {
  APPROVED: 'completed',
  DECLINED: 'declined',
  CHALLENGE: 'challenge',
  CAPTUREREQUIRED: 'capture_required',
  SUBMITTED: 'draft',
};

const EVENT_ON_ENTRY: Partial<Record<OrderState, OrderEventName>> = {
  completed: 'order.completed',
  capture_required: 'order.capturerequired',
  expired: 'order.expired',
  cancelled: 'order.cancelled',
};

/** `collected`: the order's money was taken (Completed or Returned); what a cancel answers is the route's switch. */
export type CancelResult =
  | { kind: 'cancelled' | 'unchanged' }
  | { kind: 'refused' | 'collected'; reason: string };
export type RefundResult = { ok: true; refund: RefundRecord } | { ok: false; maximumCents: number };

/**
 * Orders and their state model (contract §13). A managed MIT starts in Draft, is picked up (Processing)
 * by the next `advance`, and ends Completed at `decideAt` when the rule table rescued it, or Expired
 * once the clock passes `expiryDateUtc`. Entering a state with a webhook event hands the event to
 * `onEvent`, in order.
 */
export class OrderStore {
  readonly #clock: Clock;
  readonly #decisionDelayMs: number;
  readonly #onEvent: (order: SandboxOrder, event: OrderEventName, at: Date) => void;
  readonly #orders = new Map<string, Stored>();
  #moves = 0;

  constructor(
    clock: Clock,
    decisionDelayMs: number,
    onEvent: (order: SandboxOrder, event: OrderEventName, at: Date) => void,
  ) {
    this.#clock = clock;
    this.#decisionDelayMs = decisionDelayMs;
    this.#onEvent = onEvent;
  }

  /** How many state changes orders have made so far (in this process): a change to persist. */
  get moves(): number {
    return this.#moves;
  }

  get byKey(): ReadonlyMap<string, SandboxOrder> {
    return this.#orders;
  }

  /** For the state file: every order with its history and refunds. */
  saveState(): Map<string, SandboxOrder> {
    return this.#orders;
  }

  loadState(saved: Map<string, SandboxOrder>): void {
    for (const [key, order] of saved) this.#orders.set(key, order as Stored);
  }

  /** The order, when it exists and belongs to this merchant. */
  find(orderSessionKey: string, mid: string): SandboxOrder | undefined {
    const order = this.#orders.get(orderSessionKey.trim().toLowerCase());
    return order?.mid === mid ? order : undefined;
  }

  findByExternal(mid: string, externalOrderId: string): SandboxOrder | undefined {
    for (const order of this.#orders.values()) {
      if (order.mid === mid && order.externalOrderId === externalOrderId) return order;
    }
    return undefined;
  }

  create(input: NewOrder, decision: RuleDecision): SandboxOrder {
    const now = this.#clock.now();
    const order: Stored = {
      ...input,
      orderSessionKey: randomUUID(),
      rule: decision.rule,
      rescued: decision.status === 'SUBMITTED' ? decision.rescued : null,
      createdAt: now,
      decideAt: decision.status === 'SUBMITTED' ? new Date(now.getTime() + this.#decisionDelayMs) : null,
      state: 'draft',
      confirmationId: null,
      refundedAmount: 0,
      updatedAt: now,
      history: [],
      refunds: [],
    };
    this.#orders.set(order.orderSessionKey, order);
    this.#move(order, INITIAL_STATE[decision.status], now);
    return order;
  }

  /** Moves every order whose time has come: pick-up, rescue decision, expiry. */
  advance(now: Date): void {
    for (const order of this.#orders.values()) {
      if (order.state !== 'draft' && order.state !== 'processing') continue;
      const expiry = order.expiryDate?.getTime() ?? Number.POSITIVE_INFINITY;
      const decideAt = order.rescued && order.decideAt ? order.decideAt.getTime() : Number.POSITIVE_INFINITY;
      if (order.state === 'draft') {
        this.#move(order, 'processing', new Date(Math.min(now.getTime(), decideAt, expiry)));
      }
      if (decideAt <= now.getTime() && decideAt < expiry) {
        this.#move(order, order.authorizeOnly ? 'capture_required' : 'completed', new Date(decideAt));
      } else if (expiry <= now.getTime()) {
        this.#move(order, 'expired', new Date(expiry));
      }
    }
  }

  /** Contract §8.4: MITs in Draft/Processing and orders awaiting capture can be voided. */
  cancel(order: SandboxOrder): CancelResult {
    const stored = this.#stored(order);
    switch (stored.state) {
      case 'draft':
      case 'processing':
      case 'capture_required':
        if (!stored.isMIT && stored.state !== 'capture_required') break;
        this.#move(stored, 'cancelled', this.#clock.now());
        return { kind: 'cancelled' };
      case 'cancelled':
      case 'declined':
      case 'expired':
        return { kind: 'unchanged' };
      case 'completed':
        return {
          kind: 'collected',
          reason: 'The order is completed (the payment was taken): refund it instead.',
        };
      case 'returned':
        return { kind: 'collected', reason: 'The order is completed and already refunded.' };
    }
    return {
      kind: 'refused',
      reason: 'Only MIT orders in Draft or Processing, and orders awaiting capture, can be cancelled.',
    };
  }

  capture(
    order: SandboxOrder,
    amountCents: number,
    currency: string,
  ): { ok: true } | { ok: false; reason: string } {
    const stored = this.#stored(order);
    if (stored.state !== 'capture_required')
      return { ok: false, reason: 'The order is not awaiting capture.' };
    if (currency !== stored.currency) return { ok: false, reason: `The order is in ${stored.currency}.` };
    if (amountCents > stored.amount) {
      return {
        ok: false,
        reason: `Amount to capture (${amountCents}) is greater than authorized (${stored.amount}).`,
      };
    }
    this.#move(stored, 'completed', this.#clock.now());
    return { ok: true };
  }

  /** Refunds within what is left of a completed order; a full refund makes it Returned. */
  refund(order: SandboxOrder, amountCents: number): RefundResult {
    const stored = this.#stored(order);
    const maximumCents = stored.state === 'completed' ? stored.amount - stored.refundedAmount : 0;
    if (amountCents > maximumCents) return { ok: false, maximumCents };
    const now = this.#clock.now();
    const refund: RefundRecord = { amount: amountCents, at: now, transactionId: randomUUID() };
    stored.refunds.push(refund);
    stored.refundedAmount += amountCents;
    stored.updatedAt = now;
    if (stored.refundedAmount === stored.amount) this.#move(stored, 'returned', now);
    this.#onEvent(stored, 'order.refunded', now);
    return { ok: true, refund };
  }

  #move(order: Stored, state: OrderState, at: Date): void {
    this.#moves++;
    order.state = state;
    order.updatedAt = at;
    order.history.push({ at, state });
    if (state === 'completed' && !order.confirmationId) {
      order.confirmationId = randomBytes(4).toString('hex').toUpperCase();
    }
    const event = EVENT_ON_ENTRY[state];
    if (event) this.#onEvent(order, event, at);
  }

  #stored(order: SandboxOrder): Stored {
    const stored = this.#orders.get(order.orderSessionKey);
    if (!stored) throw new Error(`order ${order.orderSessionKey} is not in this store`);
    return stored;
  }
}
