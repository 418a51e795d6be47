import { ProviderError } from '../../../plugin/core/errors.js';
import type { Money } from '../../../plugin/core/money.js';
import type {
  RequestPreview,
  RescueDecision,
  RescueOutcome,
  RescueProvider,
} from '../../../plugin/core/rescue-provider.js';
import { CallJournal, CallScript } from './call-script.js';

/**
 * An in-memory rescue provider that answers as the FlexCharge provider over the sandbox does (the
 * contract suite in `test/contracts` runs against both), with the behaviours FlexCharge's docs
 * leave open made switchable, so a step can be tested against each of them.
 */

export type FakeOrderStatus = 'submitted' | 'approved' | 'declined' | 'expired' | 'cancelled' | 'refunded';

export interface FakeOrder {
  readonly id: string;
  readonly rescueId: string;
  readonly merchantOrderId: string;
  readonly amount: Money;
  status: FakeOrderStatus;
  /** FlexCharge's word for it while it works the order (SUBMITTED, PROCESSING, CHALLENGE…). */
  providerStatus: string;
  confirmationId: string | null;
  /** What the provider says it collected; null when it does not say (FlexCharge's /outcome never does). */
  collected: Money | null;
  readonly refunds: { readonly amount: number; readonly message: string; readonly reference: string }[];
}

/** How the next new hand-over is answered. Default `{ status: 'submitted' }`. */
export type EvaluateAnswer =
  | { readonly status: 'submitted'; readonly providerStatus?: 'SUBMITTED' | 'PROCESSING' }
  | { readonly status: 'approved'; readonly collected?: Money | null }
  | { readonly status: 'declined'; readonly withOrder?: boolean }
  /** A CIT the customer must complete: the order stays pending under `CHALLENGE`, its key is the order id. */
  | { readonly status: 'challenge' }
  /** e.g. `CAPTUREREQUIRED`; with an order it stays pending under that status, as the real provider reads it. */
  | { readonly status: 'unknown'; readonly providerStatus: string; readonly withOrder?: boolean };

export interface FakeRescueProviderOptions {
  /** Default `fake-flexcharge`. */
  readonly id?: string;
  readonly journal?: CallJournal;
  /** Default: FlexCharge's test range, more than 10 and less than 20 000 minor units. */
  readonly acceptsAmount?: (amount: number, currency: string) => boolean;
  /**
   * Cancel of an order that collected (approved or refunded). `refuse` (default, as the sandbox):
   * a non-retryable 409. `accept`: 200 and nothing changes. FlexCharge's docs only say to refund instead.
   */
  readonly cancelCompleted?: 'refuse' | 'accept';
  /**
   * A refund of the amount just refunded. `replay` (default, as the sandbox within 24 h): the first
   * answer again. `refuse`: refused, nothing left to refund. The docs say only that it never refunds twice.
   */
  readonly refundRepeated?: 'replay' | 'refuse';
  /** /outcome of a refunded order: `approved` (default, as the sandbox: /outcome lists no RETURNED) or `refunded`. */
  readonly refundedOutcome?: 'approved' | 'refunded';
}

const NOT_RESCUED: Partial<Record<FakeOrderStatus, string>> = {
  declined: 'DECLINED',
  expired: 'EXPIRED',
  cancelled: 'CANCELLED',
};

export function createFakeRescueProvider(options: FakeRescueProviderOptions = {}) {
  const id = options.id ?? 'fake-flexcharge';
  const script = new CallScript<RescueProvider>('provider', id, options.journal ?? new CallJournal());
  const orders = new Map<string, FakeOrder>();
  const answers: EvaluateAnswer[] = [];
  const transmitted: { chargeId: string; merchantOrderId: string }[] = [];
  /** Every preview built, in order (shadow mode); a preview calls nothing and changes no order. */
  const previewed: { kind: 'renewal' | 'transmit'; preview: RequestPreview }[] = [];
  let previewProblems: readonly string[] = [];
  const preview = (kind: 'renewal' | 'transmit', body: object): RequestPreview => {
    const built = { body, problems: [...previewProblems] };
    previewed.push({ kind, preview: built });
    return built;
  };
  let sequence = 0;

  const fault = (message: string, statusCode: number) =>
    new ProviderError(id, message, { retryable: false, statusCode });

  function find(orderId: string): FakeOrder {
    const order = orders.get(orderId);
    if (!order) throw fault(`order ${orderId} not found`, 404);
    return order;
  }

  /** A repeat hand-over for the same invoice is answered with its order's state (FlexCharge §11). */
  function decisionOf(order: FakeOrder): RescueDecision {
    switch (order.status) {
      case 'submitted':
        if (order.providerStatus === 'CHALLENGE') {
          return {
            status: 'challenge',
            orderId: order.id,
            orderSessionKey: order.id,
            providerStatus: 'CHALLENGE',
          };
        }
        return { status: 'submitted', orderId: order.id, providerStatus: order.providerStatus };
      case 'approved':
      case 'refunded':
        return {
          status: 'approved',
          orderId: order.id,
          confirmationId: order.confirmationId,
          collected: null,
        };
      case 'declined':
        return { status: 'declined', orderId: order.id, providerStatus: 'DECLINED' };
      default:
        return {
          status: 'unknown',
          orderId: order.id,
          providerStatus: NOT_RESCUED[order.status] ?? 'UNKNOWN',
        };
    }
  }

  function createOrder(rescueId: string, merchantOrderId: string, amount: Money, answer: EvaluateAnswer) {
    const order: FakeOrder = {
      id: `fco_${++sequence}`,
      rescueId,
      merchantOrderId,
      amount,
      status: 'submitted',
      providerStatus: 'SUBMITTED',
      confirmationId: null,
      collected: null,
      refunds: [],
    };
    if (answer.status === 'approved') approve(order, answer.collected ?? null);
    if (answer.status === 'declined') order.status = 'declined';
    if (answer.status === 'challenge') order.providerStatus = 'CHALLENGE';
    else if (answer.status !== 'approved' && answer.status !== 'declined') {
      order.providerStatus = answer.providerStatus ?? 'SUBMITTED';
    }
    orders.set(order.id, order);
    return order;
  }

  function approve(order: FakeOrder, collected: Money | null): void {
    order.status = 'approved';
    order.confirmationId = `CONF${String(sequence).padStart(4, '0')}`;
    order.collected = collected;
  }

  const provider: RescueProvider & { acceptsAmount(amount: number, currency: string): boolean } = {
    id,
    acceptsAmount: options.acceptsAmount ?? ((amount) => amount > 10 && amount < 20_000),

    submitRenewal: (input) =>
      script.run('submitRenewal', [input], (): RescueDecision => {
        const existing = [...orders.values()].find((o) => o.merchantOrderId === input.merchantOrderId);
        if (existing) return decisionOf(existing);
        const answer = answers.shift() ?? { status: 'submitted' };
        if ('withOrder' in answer && answer.withOrder === false) {
          return answer.status === 'unknown'
            ? { status: 'unknown', orderId: null, providerStatus: answer.providerStatus }
            : { status: 'declined', orderId: null, providerStatus: 'DECLINED' };
        }
        const order = createOrder(input.rescueId, input.merchantOrderId, input.renewal.amountDue, answer);
        if (answer.status === 'unknown')
          return { status: 'unknown', orderId: order.id, providerStatus: answer.providerStatus };
        const decision = decisionOf(order);
        return decision.status === 'approved' ? { ...decision, collected: order.collected } : decision;
      }),

    outcome: (orderId) =>
      script.run('outcome', [orderId], (): RescueOutcome => {
        const order = orders.get(orderId);
        if (!order) return { status: 'not_found' };
        const notRescued = NOT_RESCUED[order.status];
        if (notRescued) return { status: 'not_rescued', providerStatus: notRescued };
        if (order.status === 'submitted') return { status: 'pending', providerStatus: order.providerStatus };
        if (order.status === 'refunded' && options.refundedOutcome === 'refunded')
          return { status: 'refunded', providerStatus: 'RETURNED' };
        return { status: 'approved', confirmationId: order.confirmationId, collected: order.collected };
      }),

    cancel: (orderId, idempotencyKey) =>
      script.run('cancel', [orderId, idempotencyKey], () => {
        const order = find(orderId);
        if (order.status === 'submitted') order.status = 'cancelled';
        const collected = order.status === 'approved' || order.status === 'refunded';
        if (collected && options.cancelCompleted !== 'accept')
          throw fault(`order ${orderId} is completed: refund it instead`, 409);
      }),

    refund: (orderId, amount, reason) =>
      script.run('refund', [orderId, amount, reason], () => {
        const order = find(orderId);
        const last = order.refunds.at(-1);
        if (last && last.amount === amount.amount && options.refundRepeated !== 'refuse')
          return { refunded: true, message: last.message, reference: last.reference };
        const refundedSoFar = order.refunds.reduce((sum, r) => sum + r.amount, 0);
        const collected = order.status === 'approved' || order.status === 'refunded';
        const left =
          collected && amount.currency === order.amount.currency ? order.amount.amount - refundedSoFar : 0;
        if (amount.amount > left)
          return {
            refunded: false,
            message: `amount to refund is greater than what is left (${left})`,
            reference: null,
          };
        const message = `refunded ${amount.amount} of ${order.amount.amount}: ${reason}`;
        const reference = `fake-refund-${orderId}-${order.refunds.length + 1}`;
        order.refunds.push({ amount: amount.amount, message, reference });
        if (left === amount.amount) order.status = 'refunded';
        return { refunded: true, message, reference };
      }),

    transmit: (charge, context) =>
      script.run('transmit', [charge, context], () => {
        transmitted.push({ chargeId: charge.chargeId, merchantOrderId: context.merchantOrderId });
        return { transmitId: `fct_tx_${transmitted.length}` };
      }),

    // The shape of what FlexCharge would be sent, enough for a test to check what went in; the card
    // token is never put in it.
    previewRenewal: (input) =>
      preview('renewal', {
        orderId: input.merchantOrderId,
        flow: input.flow,
        isMIT: input.flow === 'mit',
        amount: input.renewal.amountDue,
        orderSource: input.renewal.context.orderSource,
        site: input.site,
        ...(input.flow === 'mit' ? { expiryDateUtc: input.expiresAt.toISOString() } : {}),
        paymentMethod: { cardNumber: '[redacted]', token: true },
      }),

    previewTransmit: (charge, context) =>
      preview('transmit', {
        orderId: context.merchantOrderId,
        flow: context.flow,
        isMIT: context.flow === 'mit',
        chargeId: charge.chargeId,
        amount: charge.amount,
        orderSource: charge.context.orderSource,
        site: context.site,
      }),
  };

  return {
    ...provider,
    journal: script.journal,
    fail: script.fail.bind(script),
    during: script.during.bind(script),
    callsTo: script.callsTo.bind(script),
    transmitted: transmitted as readonly { chargeId: string; merchantOrderId: string }[],
    previewed: previewed as readonly { kind: 'renewal' | 'transmit'; preview: RequestPreview }[],

    /** From now on every preview reports these problems (none by default). */
    previewWith(problems: readonly string[]): void {
      previewProblems = problems;
    },

    /** Answers the next new hand-over(s) so, in turn; then `submitted` again. */
    answerNext(...next: EvaluateAnswer[]): void {
      answers.push(...next);
    },

    order: find,
    /** The order handed over for this rescue, if any. */
    orderOf: (rescueId: string) => [...orders.values()].find((o) => o.rescueId === rescueId),

    /** FlexCharge decides a submitted order: it collected (`approved`) or gave up. */
    settle(
      orderId: string,
      to: 'approved' | 'declined' | 'expired' | 'cancelled',
      collected: Money | null = null,
    ) {
      const order = find(orderId);
      if (order.status !== 'submitted') throw new Error(`order ${orderId} is ${order.status}, not submitted`);
      if (to === 'approved') approve(order, collected);
      else order.status = to;
    },
  };
}

export type FakeRescueProvider = ReturnType<typeof createFakeRescueProvider>;
