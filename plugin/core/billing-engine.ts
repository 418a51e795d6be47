import type { OrderSource } from './merchant-settings.js';
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

  /**
   * Stops the engine's retries and dunning for this invoice; returns what to restore on release, and
   * the invoice's status as the engine answered the hold (a payment may have landed just before it).
   */
  holdRetries(
    invoiceId: string,
    hold: { rescueId: string; until: Date },
  ): Promise<{ previousAutoAdvance: boolean; invoiceStatus: InvoiceStatus }>;

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
  recordRecoveredPayment(invoiceId: string, payment: RecoveredPayment): Promise<WriteBackResult>;

  /**
   * A conflict's refund (the money went back through FlexCharge), recorded against what the
   * write-back left at the engine (`writeBackReference`), so the engine's books show it too. A no-op
   * where that reference holds no payment to refund (Stripe: an invoice marked paid out of band).
   * Sent again with the same values after a crash, it records the refund once.
   */
  recordRefund(invoiceId: string, refund: RecordedRefund): Promise<void>;

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
  /**
   * The Connect account the event happened on (Stripe: `event.account`, `acct_…`), which picks the
   * merchant on a platform's endpoint; null for the platform's (or a standalone merchant's) own events.
   */
  readonly account: string | null;
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
  /** The billing address the card holder gave with the card (often only country and postal code). */
  readonly billingAddress: PostalAddress | null;
  /** The FlexCharge token for this card, when the merchant registered one. */
  readonly flexchargeToken: string | null;
}

export interface PostalAddress {
  readonly line1: string | null;
  readonly line2: string | null;
  readonly city: string | null;
  readonly state: string | null;
  readonly postalCode: string | null;
  /** ISO 3166-1 alpha-2. */
  readonly country: string | null;
}

/** What the issuer answered to one of the card checks made with an attempt. */
export type CardCheck = 'pass' | 'fail' | 'unavailable' | 'unchecked';

/** The card checks of an attempt; null where the engine reports none (nothing was sent to check). */
export interface CardChecks {
  readonly addressLine1: CardCheck | null;
  readonly postalCode: CardCheck | null;
  readonly cvc: CardCheck | null;
}

/**
 * Whether an attempt reached the card network: `approved`/`declined` by the network (the issuer),
 * `not_sent` (stopped by the engine or its fraud rules first), `reversed` after an approval.
 */
export type NetworkStatus = 'approved' | 'declined' | 'not_sent' | 'reversed';

/** What the engine, the card network and the issuer said to one payment attempt. */
export interface AttemptResponse {
  /** The engine's own failure code (`card_declined`). */
  readonly code: string | null;
  /** The engine's reading of the issuer's reason (`insufficient_funds`). */
  readonly declineCode: string | null;
  /** The issuer's raw response code as the network relayed it (`51`); none when not sent or approved. */
  readonly networkDeclineCode: string | null;
  readonly networkStatus: NetworkStatus | null;
  /** The card network that carried the attempt (`visa`, `mastercard`). */
  readonly network: string | null;
  readonly checks: CardChecks | null;
}

/** 3-D Secure outcomes, in Stripe's words (the vocabulary of `three_d_secure.result`). */
export type ThreeDSecureResult =
  | 'authenticated'
  | 'attempt_acknowledged'
  | 'exempted'
  | 'failed'
  | 'not_supported'
  | 'processing_error'
  | 'data_share_only';

export interface ThreeDSecureDetails {
  /** Protocol version, e.g. `2.2.0`; `1.0.2` for 3-D Secure 1. */
  readonly version: string | null;
  readonly eci: string | null;
  /** null when the engine reports none, or one this type does not know yet. */
  readonly result: ThreeDSecureResult | null;
  /** Why, e.g. `card_not_enrolled`, `rejected`, `abandoned`. */
  readonly resultReason: string | null;
  /** How the customer authenticated, when they did. */
  readonly authenticationFlow: 'challenge' | 'frictionless' | null;
  /** 3-D Secure 2 Directory Server transaction id (dsTransID). */
  readonly dsTransactionId: string | null;
  /** 3-D Secure 1 transaction id (XID). */
  readonly xid: string | null;
}

/**
 * Where the customer last authenticated with the card the renewal charged: the payment that started
 * the subscription (or a later on-session one), or, when that had no payment (a free trial), the card
 * setup. A renewal references it as the initial customer-initiated transaction.
 */
export interface OriginalAuthentication {
  readonly source: { readonly kind: 'payment' | 'setup'; readonly id: string };
  /** The network's id of that transaction; card setups carry none. */
  readonly networkTransactionId: string | null;
  readonly threeDSecure: ThreeDSecureDetails | null;
}

/**
 * Who started a payment and where, and which of the merchant's sites it names, as the engine's own
 * objects show it. The core picks the merchant's flow and site from this (plugin/core/flow-choice.ts).
 */
export interface TransactionContext {
  /**
   * `merchant`: an off-session payment the engine (or the merchant's server) made without the customer
   * (MIT: a renewal). `customer`: the customer was present (CIT: the subscription's first invoice
   * paid at checkout, a one-off invoice paid on-session, an agent keying the card in for them).
   */
  readonly initiator: 'merchant' | 'customer';
  /** `call_center`: taken by an agent (Stripe's MOTO flag, or the merchant's order-channel metadata). */
  readonly orderSource: OrderSource;
  /**
   * The value of the merchant's site metadata key, the first found on the invoice, the subscription,
   * a line's price, then its product; null when none carries it.
   */
  readonly siteMetadata: string | null;
  /**
   * The shopper's IP address at checkout, when the merchant recorded it (metadata `customer_ip` on
   * the invoice, subscription, customer or payment): Stripe keeps none that a plugin can read.
   */
  readonly customerIp?: string;
}

/** Per merchant: the metadata keys its objects use to name a site and an order channel. */
export interface MetadataKeys {
  readonly site: string;
  readonly orderChannel: string;
}

export interface RenewalFailure {
  readonly invoiceId: string;
  readonly context: TransactionContext;
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
    /** What one period of the whole subscription costs: every item's unit amount times its quantity. */
    readonly price: Money;
    /** 1 for the first payment of the series. */
    readonly paymentNumber: number;
  };
  readonly failedPayment: AttemptResponse & {
    readonly chargeId: string | null;
    readonly paymentIntentId: string | null;
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
  /** When this write-back runs. */
  readonly recoveredAt: Date;
  /** When the rescue began, and when FlexCharge collected: the same on every repeat of the write-back. */
  readonly initiatedAt: Date;
  readonly collectedAt: Date;
}

/**
 * What a write-back did, and the engine's reference of what it left: the payment on the invoice
 * (Stripe: the `inpay_…` invoice payment, or the `pr_…` payment record). A payment record reported
 * for an invoice someone else paid meanwhile is named too (`paid_elsewhere`): the refund goes on it.
 */
export interface WriteBackResult {
  readonly outcome: 'recorded' | 'already_recorded' | 'paid_elsewhere';
  readonly reference: string | null;
}

export interface RecordedRefund {
  readonly rescueId: string;
  /** The write-back's reference (`WriteBackResult.reference`) the refund is recorded against. */
  readonly writeBackReference: string;
  /** The write-back's key: the refund's own key derives from it. */
  readonly idempotencyKey: string;
  readonly amount: Money;
  /** FlexCharge's reference of the refund. */
  readonly refundReference: string;
  readonly refundedAt: Date;
}

export interface ChargeReport extends AttemptResponse {
  readonly chargeId: string;
  readonly context: TransactionContext;
  readonly succeeded: boolean;
  readonly amount: Money;
  readonly createdAt: Date;
  readonly invoiceId: string | null;
  /** The subscription the charge paid for, as /transmit describes a recurring MIT. */
  readonly subscription: { id: string; interval: string; intervalCount: number; price: Money } | null;
  readonly offSession: boolean;
  readonly card: CardDetails | null;
  readonly customer: { id: string | null; email: string | null; phone: string | null };
  readonly statementDescriptor: string | null;
}
