import type {
  BillingEngineAdapter,
  BillingEvent,
  ChargeReport,
  InvoiceSnapshot,
  InvoiceStatus,
  RecordedRefund,
  RecoveredPayment,
  RenewalFailure,
} from '../../../plugin/core/billing-engine.js';
import { ConflictError, NotFoundError, ProviderError, SignatureError } from '../../../plugin/core/errors.js';
import type { Money } from '../../../plugin/core/money.js';
import { CallJournal, CallScript } from './call-script.js';
import { renewalFailure } from './renewal-failure-fixture.js';

/**
 * An in-memory billing engine that keeps its invoices the way the Stripe adapter keeps Stripe's:
 * the hold remembers `auto_advance` on the invoice, release and write-back are idempotent per
 * rescue, and an invoice settled by anyone else reads as such. `test/contracts` runs the same
 * suite against both, so a step tested here behaves the same on Stripe.
 */

/** What our hold, release and write-back left on the invoice (on Stripe: `flexcharge_*` metadata). */
export type InvoiceMark =
  | {
      readonly kind: 'held';
      readonly rescueId: string;
      readonly until: Date;
      readonly previousAutoAdvance: boolean;
    }
  | { readonly kind: 'released'; readonly rescueId: string; readonly reason: string }
  | { readonly kind: 'recovered'; readonly rescueId: string; readonly payment: RecoveredPayment };

export interface FakeInvoice {
  readonly id: string;
  status: InvoiceStatus;
  autoAdvance: boolean;
  amountDue: Money;
  readonly subscriptionId: string;
  subscriptionStatus: string | null;
  subscriptionPaused: boolean;
  /** When the engine will try on its own; null: nothing scheduled. */
  nextPaymentAttempt: Date | null;
  mark: InvoiceMark | null;
  /**
   * Who paid it: a rescue's write-back under its key, or anyone else (the customer, the merchant, the
   * engine's retry). Like Stripe's idempotency replay, only the same key proves a write-back ours.
   */
  paidBy: { readonly rescueId: string; readonly idempotencyKey: string } | 'elsewhere' | null;
  /** What `retryPaymentOnce` does to the card: default it declines again. */
  retryResult: 'paid' | 'failed';
  /** What the re-read failure says beyond the fields above (card, customer, decline…). */
  renewal: Partial<RenewalFailure>;
}

export interface FakeBillingEngineOptions {
  /** Default `fake-engine`. */
  readonly id?: string;
  /** Share one with the fake provider to see the order of calls across both ports. */
  readonly journal?: CallJournal;
  /** The value `verifyWebhook` expects in the `fake-signature` header. Default `whsec_fake`. */
  readonly webhookSecret?: string;
}

/** Only draft and open invoices take `auto_advance` (as on Stripe). */
const EDITABLE: ReadonlySet<InvoiceStatus> = new Set(['draft', 'open']);

export function createFakeBillingEngine(options: FakeBillingEngineOptions = {}) {
  const id = options.id ?? 'fake-engine';
  const secret = options.webhookSecret ?? 'whsec_fake';
  const script = new CallScript<BillingEngineAdapter>('engine', id, options.journal ?? new CallJournal());
  const invoices = new Map<string, FakeInvoice>();
  const charges = new Map<string, ChargeReport>();
  let sequence = 0;

  function find(invoiceId: string): FakeInvoice {
    const invoice = invoices.get(invoiceId);
    if (!invoice) throw new NotFoundError(`no such invoice: ${invoiceId}`);
    return invoice;
  }

  function requireEditable(invoice: FakeInvoice, action: string): void {
    if (EDITABLE.has(invoice.status)) return;
    throw new ProviderError(id, `${action} invoice ${invoice.id}: it is ${invoice.status}`, {
      retryable: false,
      statusCode: 400,
    });
  }

  /** How a no-longer-open invoice ended: by this rescue's write-back, or by anything else. */
  function settledAs(invoice: FakeInvoice, payment: RecoveredPayment): 'ours' | 'paid_elsewhere' | null {
    if (invoice.status === 'void' || invoice.status === 'uncollectible') return 'paid_elsewhere';
    if (invoice.status !== 'paid') return null;
    const by = invoice.paidBy;
    return typeof by === 'object' && by?.idempotencyKey === payment.idempotencyKey
      ? 'ours'
      : 'paid_elsewhere';
  }
  const retried = new Set<string>();
  /** Refunds recorded against write-backs, once per refund reference. */
  const refunds: RecordedRefund[] = [];

  const adapter: BillingEngineAdapter = {
    id,
    holdCapability: 'toggle',

    verifyWebhook(rawBody, headers) {
      script.record('verifyWebhook', [rawBody, headers]);
      if (headers['fake-signature'] !== secret) throw new SignatureError('fake-signature does not match');
      try {
        const body = JSON.parse(rawBody.toString('utf8'));
        return {
          id: body.id,
          type: body.type,
          createdAt: new Date(body.createdAt),
          account: body.account ?? null,
          payload: body,
        };
      } catch (cause) {
        throw new SignatureError('body is not JSON', { cause });
      }
    },

    normalize(event) {
      script.record('normalize', [event]);
      const payload = event.payload as { event?: BillingEvent };
      return payload.event ?? { kind: 'ignored', reason: `${event.type} is not one the workflow needs` };
    },

    loadRenewalFailure: (invoiceId, origin) =>
      script.run('loadRenewalFailure', [invoiceId, origin], () => {
        const invoice = find(invoiceId);
        const base = renewalFailure(invoice.id, invoice.renewal);
        return {
          ...base,
          invoiceStatus: invoice.status,
          autoAdvance: invoice.autoAdvance,
          amountDue: invoice.amountDue,
          engineInitiated: origin?.engineInitiated ?? base.engineInitiated,
          subscription: {
            ...base.subscription,
            id: invoice.subscriptionId,
            status: invoice.subscriptionStatus ?? base.subscription.status,
          },
        };
      }),

    invoiceStatus: (invoiceId) => script.run('invoiceStatus', [invoiceId], () => snapshotOf(find(invoiceId))),

    holdRetries: (invoiceId, hold) =>
      script.run('holdRetries', [invoiceId, hold], () => {
        const invoice = find(invoiceId);
        const existing = invoice.mark?.kind === 'held' ? invoice.mark : null;
        if (existing?.rescueId === hold.rescueId && !invoice.autoAdvance) {
          return { previousAutoAdvance: existing.previousAutoAdvance, invoiceStatus: invoice.status };
        }
        // Under an earlier rescue's unreleased hold, `false` is that hold's doing, not the merchant's.
        const previousAutoAdvance = existing ? existing.previousAutoAdvance : invoice.autoAdvance;
        requireEditable(invoice, 'hold retries on');
        invoice.autoAdvance = false;
        invoice.mark = { kind: 'held', rescueId: hold.rescueId, until: hold.until, previousAutoAdvance };
        return { previousAutoAdvance, invoiceStatus: invoice.status };
      }),

    releaseHold: (invoiceId, release) =>
      script.run('releaseHold', [invoiceId, release], () => {
        const invoice = find(invoiceId);
        if (!EDITABLE.has(invoice.status)) return;
        const mark = invoice.mark;
        if (mark?.kind === 'held' && mark.rescueId !== release.rescueId) return;
        const releasedByUs = mark?.kind === 'released' && mark.rescueId === release.rescueId;
        if (releasedByUs && invoice.autoAdvance === release.restoreAutoAdvance) return;
        invoice.autoAdvance = release.restoreAutoAdvance;
        invoice.mark = { kind: 'released', rescueId: release.rescueId, reason: release.reason };
      }),

    recordRecoveredPayment: (invoiceId, payment) =>
      script.run('recordRecoveredPayment', [invoiceId, payment], () => {
        const invoice = find(invoiceId);
        const reference = `fake-payment-${invoiceId}`;
        const settled = settledAs(invoice, payment);
        if (settled === 'paid_elsewhere') return { outcome: settled, reference: null };
        if (settled === 'ours') return { outcome: 'already_recorded', reference };
        if (invoice.status !== 'open') {
          throw new ConflictError(
            `invoice ${invoiceId} is ${invoice.status}; only an open invoice can be written back`,
          );
        }
        Object.assign(invoice, {
          status: 'paid',
          autoAdvance: false,
          paidBy: { rescueId: payment.rescueId, idempotencyKey: payment.idempotencyKey },
          mark: { kind: 'recovered', rescueId: payment.rescueId, payment },
        });
        return { outcome: 'recorded', reference };
      }),

    recordRefund: (invoiceId, refund) =>
      script.run('recordRefund', [invoiceId, refund], () => {
        if (!refunds.some((r) => r.refundReference === refund.refundReference)) refunds.push(refund);
      }),

    retryPaymentOnce: (invoiceId, retry) =>
      script.run('retryPaymentOnce', [invoiceId, retry], () => {
        const invoice = find(invoiceId);
        if (invoice.status !== 'open') return 'not_open' as const;
        if (retried.has(retry.rescueId)) return 'failed' as const;
        retried.add(retry.rescueId);
        if (invoice.retryResult === 'failed') return 'failed' as const;
        Object.assign(invoice, { status: 'paid', paidBy: 'elsewhere', nextPaymentAttempt: null });
        return 'paid' as const;
      }),

    markUncollectible: (invoiceId, mark) =>
      script.run('markUncollectible', [invoiceId, mark], () => {
        const invoice = find(invoiceId);
        if (invoice.status === 'open')
          Object.assign(invoice, { status: 'uncollectible', nextPaymentAttempt: null });
      }),

    loadCharge: (chargeId) =>
      script.run('loadCharge', [chargeId], () => {
        const charge = charges.get(chargeId);
        if (!charge) throw new NotFoundError(`no such charge: ${chargeId}`);
        return charge;
      }),
  };

  return {
    ...adapter,
    journal: script.journal,
    fail: script.fail.bind(script),
    during: script.during.bind(script),
    callsTo: script.callsTo.bind(script),
    refunds,

    /** An open invoice of a renewal the engine charged itself and the card declined. */
    addDeclinedRenewal(init: Partial<Omit<FakeInvoice, 'mark' | 'paidBy'>> = {}): FakeInvoice {
      const invoiceId = init.id ?? `in_fake_${++sequence}`;
      const invoice: FakeInvoice = {
        status: 'open',
        autoAdvance: true,
        amountDue: renewalFailure(invoiceId).amountDue,
        subscriptionId: `sub_of_${invoiceId}`,
        subscriptionStatus: 'past_due',
        subscriptionPaused: false,
        nextPaymentAttempt: null,
        retryResult: 'failed',
        renewal: {},
        ...init,
        id: invoiceId,
        mark: null,
        paidBy: null,
      };
      invoices.set(invoiceId, invoice);
      return invoice;
    },

    /** The invoice as the engine holds it now; tests may also change its fields directly. */
    invoice: find,

    /** Someone other than the plugin settles the invoice: the customer pays, the merchant voids it… */
    settleOutside(invoiceId: string, status: 'paid' | 'void' | 'uncollectible'): void {
      const invoice = find(invoiceId);
      Object.assign(invoice, { status, autoAdvance: false, paidBy: status === 'paid' ? 'elsewhere' : null });
    },

    addCharge(charge: ChargeReport): void {
      charges.set(charge.chargeId, charge);
    },

    /** Headers and body `verifyWebhook` accepts, carrying `event` for `normalize`. */
    signedWebhook(event: BillingEvent, eventId = `evt_fake_${++sequence}`) {
      const body = { id: eventId, type: `fake.${event.kind}`, createdAt: new Date(0).toISOString(), event };
      return { rawBody: Buffer.from(JSON.stringify(body)), headers: { 'fake-signature': secret } };
    },
  };
}

export type FakeBillingEngine = ReturnType<typeof createFakeBillingEngine>;

function snapshotOf(invoice: FakeInvoice): InvoiceSnapshot {
  return {
    invoiceId: invoice.id,
    status: invoice.status,
    autoAdvance: invoice.autoAdvance,
    paidByRescueId:
      invoice.status === 'paid' && typeof invoice.paidBy === 'object'
        ? (invoice.paidBy?.rescueId ?? null)
        : null,
    subscriptionStatus: invoice.subscriptionStatus,
    subscriptionPaused: invoice.subscriptionPaused,
    amountRemaining: invoice.status === 'paid' ? { ...invoice.amountDue, amount: 0 } : invoice.amountDue,
    nextPaymentAttempt: invoice.nextPaymentAttempt,
  };
}
