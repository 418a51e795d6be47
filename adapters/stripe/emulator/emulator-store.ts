import type Stripe from 'stripe';
import type { Clock } from '../../../plugin/core/clock.js';
import type {
  AfterFinalRetry,
  EmulatorEvent,
  ReleaseRetryBehaviour,
  WebhookAttempt,
} from './emulator-types.js';
import { resourceMissing } from './errors.js';
import type { ForwardingDestinations } from './forwarding-destinations.js';

/**
 * All emulator state, in memory. Stripe objects are stored in their API shape (typed by stripe-node's
 * own interfaces) and handed out as deep copies; what Stripe keeps private (card behaviour, retry
 * bookkeeping, endpoint secrets, webhook deliveries) lives beside them. Maps keep insertion order,
 * which is creation order, so "newest first" is a reversed walk.
 */
export class EmulatorStore {
  readonly customers = new Map<string, Stripe.Customer>();
  readonly paymentMethods = new Map<string, Stripe.PaymentMethod>();
  readonly cards = new Map<string, CardState>();
  readonly products = new Map<string, Stripe.Product>();
  readonly prices = new Map<string, Stripe.Price>();
  readonly subscriptions = new Map<string, Stripe.Subscription>();
  readonly subscriptionStates = new Map<string, SubscriptionState>();
  readonly invoices = new Map<string, Stripe.Invoice>();
  readonly invoiceStates = new Map<string, InvoiceState>();
  readonly invoicePayments = new Map<string, Stripe.InvoicePayment>();
  readonly paymentRecords = new Map<string, Stripe.PaymentRecord>();
  /** What Stripe keeps about a Payment Record beyond its object: the invoice it is attached to. */
  readonly paymentRecordStates = new Map<string, PaymentRecordState>();
  /** Every `refund_reference` reported on a Payment Record: Stripe wants each unique. */
  readonly paymentRecordRefundReferences = new Set<string>();
  readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  readonly charges = new Map<string, Stripe.Charge>();
  readonly setupIntents = new Map<string, Stripe.SetupIntent>();
  readonly setupAttempts = new Map<string, Stripe.SetupAttempt>();
  readonly forwardingRequests = new Map<string, Stripe.Forwarding.Request>();
  readonly webhookEndpoints = new Map<string, WebhookEndpointState>();
  readonly events = new Map<string, EventState>();
  readonly idempotency = new Map<string, IdempotencyEntry>();

  // Ids in creation order, for lookups that would otherwise walk every invoice or payment: with
  // thousands of subscriptions (a benchmark's) those walks, not the client, set the pace.
  readonly #invoicesBySubscription = new Map<string, string[]>();
  readonly #invoicesByCustomer = new Map<string, string[]>();
  readonly #paymentsByInvoice = new Map<string, string[]>();
  readonly #paymentByIntent = new Map<string, string>();

  /** Stores a new invoice; the only way invoices are added. */
  addInvoice(invoice: Stripe.Invoice): void {
    this.invoices.set(invoice.id, invoice);
    const subscription = idOf(invoice.parent?.subscription_details?.subscription ?? null);
    if (subscription) push(this.#invoicesBySubscription, subscription, invoice.id);
    const customer = idOf(invoice.customer);
    if (customer) push(this.#invoicesByCustomer, customer, invoice.id);
  }

  /** Stores a new invoice payment; the only way invoice payments are added. */
  addInvoicePayment(payment: Stripe.InvoicePayment): void {
    this.invoicePayments.set(payment.id, payment);
    push(this.#paymentsByInvoice, String(payment.invoice), payment.id);
    const intent = idOf(payment.payment.payment_intent ?? null);
    if (intent && !this.#paymentByIntent.has(intent)) this.#paymentByIntent.set(intent, payment.id);
  }

  /** The subscription's invoices, oldest first. */
  invoicesOfSubscription(subscriptionId: string): Stripe.Invoice[] {
    return pick(this.invoices, this.#invoicesBySubscription.get(subscriptionId));
  }

  /** The customer's invoices, oldest first. */
  invoicesOfCustomer(customerId: string): Stripe.Invoice[] {
    return pick(this.invoices, this.#invoicesByCustomer.get(customerId));
  }

  /** The invoice's payments, oldest first. */
  paymentsOfInvoice(invoiceId: string): Stripe.InvoicePayment[] {
    return pick(this.invoicePayments, this.#paymentsByInvoice.get(invoiceId));
  }

  /** The first invoice payment made with this PaymentIntent. */
  paymentOfIntent(paymentIntentId: string): Stripe.InvoicePayment | undefined {
    const id = this.#paymentByIntent.get(paymentIntentId);
    return id === undefined ? undefined : this.invoicePayments.get(id);
  }
}

function push(index: Map<string, string[]>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids) ids.push(id);
  else index.set(key, [id]);
}

function pick<T>(objects: Map<string, T>, ids: readonly string[] | undefined): T[] {
  const found: T[] = [];
  for (const id of ids ?? []) {
    const object = objects.get(id);
    if (object !== undefined) found.push(object);
  }
  return found;
}

export interface EmulatorSettings {
  apiKey: string;
  retrySchedule: readonly number[];
  afterFinalRetry: AfterFinalRetry;
  releaseRetry: ReleaseRetryBehaviour;
  webhookRetrySchedule: readonly number[];
  webhookTimestamps: 'clock' | 'wall';
  /** How many deliveries may be in flight at once; 1 sends them one by one, in creation order. */
  webhookConcurrency: number;
  fetchImpl: typeof fetch;
  /** Where forwarding requests may go (shared by every account: Stripe configures it per destination). */
  forwarding: ForwardingDestinations;
  log: (line: string) => void;
}

/** What every part of the emulator is handed: one Stripe account's objects, and what all accounts share. */
export interface EmulatorContext {
  store: EmulatorStore;
  clock: Clock;
  settings: EmulatorSettings;
  /** The account whose objects `store` holds. */
  account: AccountScope;
}

export interface AccountScope {
  readonly id: string;
  /** The Connect platform this account is connected to; null for a platform or standalone account. */
  readonly platform: EmulatorContext | null;
}

/** What the emulator knows about a card PaymentMethod beyond its public object. */
export interface CardState {
  /** Catalogue key in test-cards.ts. */
  testCardKey: string;
  /** True once an authenticated on-session charge saved the card for off-session use. */
  setUpForOffSession: boolean;
  /** Set by `/_emulator/payment_methods/:id/behavior`: a decline code, or null for "always succeed". */
  override?: { declineCode: string | null };
}

export interface SubscriptionState {
  /**
   * False while the create request is still running: Stripe reports a new subscription once, in
   * `customer.subscription.created`, with the status its first payment left it in.
   */
  announced: boolean;
  /** How many whole periods lie between the billing cycle anchor and the current period's start. */
  periodIndex: number;
}

export interface PaymentRecordState {
  /** The invoice `attach_payment` attached it to; a record pays one invoice at most. */
  invoice: string | null;
  outcome: 'guaranteed' | 'failed' | 'canceled' | null;
}

/** Retry bookkeeping for an invoice that Stripe collects automatically. */
export interface InvoiceState {
  /** When an invoice that was never attempted gets its first automatic attempt (after a hold is released). */
  firstAttemptAt: number | null;
  /** Time the retry schedule counts from: the first failure, shifted forward when a hold is released. */
  retryAnchor: number | null;
  /** Automatic retries already made (or skipped because of a hard decline). */
  retriesDone: number;
  /** The last hard decline and the payment method it happened on: not retried until that changes. */
  hardDecline: { paymentMethod: string; declineCode: string } | null;
  exhausted: boolean;
}

/** An invoice's retry bookkeeping before any attempt. */
export function newInvoiceState(): InvoiceState {
  return { firstAttemptAt: null, retryAnchor: null, retriesDone: 0, hardDecline: null, exhausted: false };
}

export interface WebhookEndpointState {
  endpoint: Stripe.WebhookEndpoint;
  secret: string;
  /**
   * Created with `connect=true`: receives the events of the accounts connected to this one, and not
   * this account's own. Stripe keeps this off the endpoint object, so it lives here.
   */
  connect: boolean;
}

export interface EventState {
  event: EmulatorEvent;
  deliveries: DeliveryState[];
}

export interface DeliveryState {
  endpointId: string;
  url: string;
  attempts: WebhookAttempt[];
  delivered: boolean;
  nextAttemptAt: number | null;
}

export interface IdempotencyEntry {
  method: string;
  path: string;
  params: unknown;
  createdAt: number;
  response: { status: number; body: unknown; requestId: string } | null;
}

/** Looks an object up or throws Stripe's 404 (`No such invoice: 'in_…'`). */
export function mustGet<T>(map: Map<string, T>, id: string, noun: string, param = 'id'): T {
  const found = map.get(id);
  if (found === undefined) throw resourceMissing(noun, id, param);
  return found;
}

/** Stripe references may be expanded objects; in the store they are always ids. */
export function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

export function copy<T>(value: T): T {
  return structuredClone(value);
}
