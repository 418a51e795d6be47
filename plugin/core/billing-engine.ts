import type { Money } from './money.js';

/**
 * The billing-engine port: what the workflow needs from Stripe, Chargebee and the like. Adapters
 * translate their engine's webhooks and objects into these shapes; the core never sees vendor types.
 */
export interface BillingEngineAdapter {
  /** Stable id, stored with every row and shown in manifest.json, e.g. `stripe`. */
  readonly id: string;
  /** How this engine can keep its own retries off an invoice while FlexCharge works. */
  readonly holdCapability: 'toggle' | 'until_date' | 'none';

  /**
   * Verifies the engine's signature on the raw body and returns the event, or throws `SignatureError`
   * (forged, stale, malformed). Nothing is looked up or stored before this succeeds.
   */
  verifyWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): VerifiedEngineEvent;

  /** Turns a stored event into what the workflow acts on; events it does not need become `ignored`. */
  normalize(event: VerifiedEngineEvent): BillingEvent;

  /**
   * Re-reads the invoice and everything /evaluate needs, straight from the engine. `origin` is what
   * the failure's webhook said about who made the attempt; without it the adapter works it out.
   */
  loadRenewalFailure(invoiceId: string, origin?: FailureOrigin): Promise<RenewalFailure>;

  /** The invoice as the engine sees it now. */
  invoiceStatus(invoiceId: string): Promise<InvoiceSnapshot>;

  /** Stops the engine's retries and dunning for this invoice; returns what to restore on release. */
  holdRetries(
    invoiceId: string,
    hold: { rescueId: string; until: Date },
  ): Promise<{ previousAutoAdvance: boolean }>;

  /** Gives the invoice back to the engine's dunning, restoring what `holdRetries` changed. */
  releaseHold(
    invoiceId: string,
    release: { rescueId: string; restoreAutoAdvance: boolean; reason: string },
  ): Promise<void>;

  /**
   * Marks the invoice paid by the rescued payment, under `payment.idempotencyKey`. Sent again with
   * the same key after a crash or an ambiguous failure, it tells our own earlier write-back
   * (`already_recorded`) from a payment by anyone else (`paid_elsewhere`), which is never overwritten.
   */
  recordRecoveredPayment(
    invoiceId: string,
    payment: RecoveredPayment,
  ): Promise<'recorded' | 'already_recorded' | 'paid_elsewhere'>;

  /**
   * One off-session payment attempt of the invoice with its default payment method, once per
   * rescue whatever the repeats: the fallback when the engine scheduled no attempt after a release.
   */
  retryPaymentOnce(invoiceId: string, retry: { rescueId: string }): Promise<'paid' | 'failed' | 'not_open'>;

  /** Ends the invoice as uncollectible (the merchant's chosen fallback); a no-op if no longer open. */
  markUncollectible(invoiceId: string, mark: { rescueId: string }): Promise<void>;

  /** A charge the engine reported, for /transmit. */
  loadCharge(chargeId: string): Promise<ChargeReport>;
}

/** Who made a failed attempt, as the engine's own (verified) failure event says. */
export interface FailureOrigin {
  readonly engineInitiated: boolean;
}

/** An engine event whose signature checked out; `payload` is the parsed body as the engine sent it. */
export interface VerifiedEngineEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: Date;
  readonly payload: object;
}

export type BillingEvent =
  | { kind: 'renewal_failed'; invoiceId: string; failedAt: Date; automatic: boolean; attemptCount: number }
  | { kind: 'invoice_paid'; invoiceId: string; byRescueId: string | null }
  | { kind: 'invoice_voided'; invoiceId: string }
  | { kind: 'invoice_uncollectible'; invoiceId: string }
  | { kind: 'subscription_cancelled'; subscriptionId: string }
  | { kind: 'charge'; chargeId: string; succeeded: boolean; amount: Money }
  | { kind: 'ignored'; reason: string };

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

export interface InvoiceSnapshot {
  readonly invoiceId: string;
  readonly status: InvoiceStatus;
  readonly autoAdvance: boolean;
  /** The rescue id our write-back stamped on it, when it was us who marked it paid. */
  readonly paidByRescueId: string | null;
  readonly subscriptionStatus: string | null;
  /** The subscription's collection is paused (Stripe: `pause_collection`, or status `paused`). */
  readonly subscriptionPaused: boolean;
  /** What the invoice still owes. */
  readonly amountRemaining: Money;
  /** When the engine will try the payment next on its own; null: no attempt is scheduled. */
  readonly nextPaymentAttempt: Date | null;
}

export interface CardDetails {
  readonly paymentMethodId: string;
  readonly brand: string | null;
  readonly funding: string | null;
  readonly country: string | null;
  readonly expMonth: number | null;
  readonly expYear: number | null;
  readonly last4: string | null;
  readonly holderName: string | null;
  /** The FlexCharge token for this card, when the merchant registered one. */
  readonly flexchargeToken: string | null;
}

export interface PostalAddress {
  readonly line1: string | null;
  readonly line2: string | null;
  readonly city: string | null;
  readonly state: string | null;
  readonly postalCode: string | null;
  readonly country: string | null;
}

/** 3-D Secure of the subscription's first customer-initiated payment. */
export interface OriginalAuthentication {
  readonly chargeId: string;
  readonly networkTransactionId: string | null;
  readonly threeDSecure: {
    readonly version: string | null;
    readonly eci: string | null;
    readonly result: string | null;
    readonly dsTransactionId: string | null;
    readonly authenticationFlow: string | null;
  } | null;
}

export interface RenewalFailure {
  readonly invoiceId: string;
  readonly invoiceStatus: InvoiceStatus;
  readonly billingReason: string | null;
  readonly automaticCollection: boolean;
  /** The failed attempt was the engine's own (not an API call): `request.id === null` on Stripe. */
  readonly engineInitiated: boolean;
  readonly attemptCount: number;
  readonly autoAdvance: boolean;
  readonly failedAt: Date;
  /** What is still owed on the invoice (Stripe's `amount_remaining`): what FlexCharge collects. */
  readonly amountDue: Money;
  readonly statementDescriptor: string | null;
  readonly subscription: {
    readonly id: string;
    readonly status: string;
    /** Collection is paused (Stripe: `pause_collection` set, or flexible billing's `paused` status). */
    readonly collectionPaused: boolean;
    readonly interval: string;
    readonly intervalCount: number;
    readonly price: Money;
    /** 1 for the first payment of the series. */
    readonly paymentNumber: number;
  };
  readonly failedPayment: {
    readonly chargeId: string | null;
    readonly paymentIntentId: string | null;
    readonly code: string | null;
    readonly declineCode: string | null;
    readonly networkDeclineCode: string | null;
    readonly adviceCode: string | null;
    readonly message: string | null;
  };
  readonly card: CardDetails | null;
  readonly customer: {
    readonly id: string;
    readonly email: string | null;
    readonly phone: string | null;
    readonly name: string | null;
    readonly address: PostalAddress | null;
  };
  readonly lines: readonly {
    description: string | null;
    amount: Money;
    quantity: number;
    priceId: string | null;
  }[];
  readonly originalAuthentication: OriginalAuthentication | null;
}

export interface RecoveredPayment {
  readonly rescueId: string;
  /** Stable for this write-back across repeats: the engine's replay of it is the proof it was ours. */
  readonly idempotencyKey: string;
  readonly amount: Money;
  readonly providerOrderId: string;
  readonly confirmationId: string | null;
  readonly recoveredAt: Date;
}

export interface ChargeReport {
  readonly chargeId: string;
  readonly succeeded: boolean;
  readonly amount: Money;
  readonly createdAt: Date;
  readonly invoiceId: string | null;
  /** The subscription the charge paid for, as /transmit describes a recurring MIT. */
  readonly subscription: { id: string; interval: string; intervalCount: number; price: Money } | null;
  readonly offSession: boolean;
  readonly declineCode: string | null;
  readonly responseCode: string | null;
  readonly card: CardDetails | null;
  readonly customer: { id: string | null; email: string | null; phone: string | null };
  readonly statementDescriptor: string | null;
}
