import type { ChargeReport, RenewalFailure } from './billing-engine.js';
import type { MerchantFlow } from './merchant-settings.js';
import type { Money } from './money.js';

/**
 * The rescue-provider port (FlexCharge). One instance per merchant credential set and environment.
 * Provider faults are thrown as `ProviderError` (with `retryable`); business answers are values.
 */
export interface RescueProvider {
  readonly id: string;

  /** Hands a declined renewal over for rescue. Repeating it with the same `rescueId` is safe. */
  submitRenewal(input: RenewalSubmission): Promise<RescueDecision>;

  /** The order's state now; the safety net when no webhook arrives. */
  outcome(orderId: string): Promise<RescueOutcome>;

  /** Stops a pending rescue (the invoice was paid elsewhere, voided, or the subscription cancelled). */
  cancel(orderId: string, idempotencyKey: string): Promise<void>;

  /**
   * Returns a collected payment (FlexCharge collected after the invoice was paid elsewhere).
   * `reference`: the provider's id of the refund, when its answer carries one.
   */
  refund(
    orderId: string,
    amount: Money,
    reason: string,
  ): Promise<{ refunded: boolean; message: string | null; reference: string | null }>;

  /** Reports a processed charge, approved or declined; returns the provider's transaction key. */
  transmit(charge: ChargeReport, context: TransmitContext): Promise<{ transmitId: string | null }>;

  /**
   * Shadow mode: the complete /evaluate request `submitRenewal` would send, checked against the
   * contract, with the card token redacted. Calls nothing.
   */
  previewRenewal(input: RenewalSubmission): RequestPreview;

  /** Shadow mode: the /transmit request `transmit` would send, checked and redacted. Calls nothing. */
  previewTransmit(charge: ChargeReport, context: TransmitContext): RequestPreview;
}

export interface TransmitContext {
  readonly merchantOrderId: string;
  readonly flow: MerchantFlow;
  readonly site: SiteReference;
  /** Our `merchant_sites` id of the site chosen, for the call log only; null when none was. */
  readonly merchantSiteId: string | null;
}

/** A request built but not sent: its body (secrets and card token redacted) and what is wrong with it. */
export interface RequestPreview {
  readonly body: object;
  /** Empty when the request is complete and valid; else one line per problem, naming the field. */
  readonly problems: readonly string[];
}

/**
 * Which of the merchant's sites the order belongs to, as exactly one kind: FlexCharge's `siteId` when
 * known, else `siteUrl`, else the statement descriptor (`transaction.dynamicDescriptor`), else none.
 * `plugin/core/site-choice.ts` makes it.
 */
export type SiteReference =
  | { readonly kind: 'site_id'; readonly value: string }
  | { readonly kind: 'site_url'; readonly value: string }
  | { readonly kind: 'descriptor'; readonly value: string }
  | { readonly kind: 'none' };

export interface RenewalSubmission {
  readonly rescueId: string;
  /**
   * `mit`: a managed MIT (isMIT, isRecurring, the expiry, the subscription). `cit_*`: a customer-
   * initiated decline (isMIT false, answered at once, no expiry), from the website or the call center.
   */
  readonly flow: MerchantFlow;
  /** Our order id at the provider: the engine's invoice id. */
  readonly merchantOrderId: string;
  readonly renewal: RenewalFailure;
  readonly cardToken: string;
  /** Sent as expiryDateUtc for MIT only. */
  readonly expiresAt: Date;
  readonly site: SiteReference;
  /** Our `merchant_sites` id of the site chosen, for the call log only; null when none was. */
  readonly merchantSiteId: string | null;
}

/**
 * What the provider answered to a hand-over. Only an explicit decline is a decline: any answer we do
 * not understand (`unknown`) may mean the provider is working the order, so it stays live.
 */
export type RescueDecision =
  /** Accepted for asynchronous work (FlexCharge `SUBMITTED` or `PROCESSING`). */
  | { readonly status: 'submitted'; readonly orderId: string; readonly providerStatus: string }
  | {
      readonly status: 'approved';
      readonly orderId: string;
      readonly confirmationId: string | null;
      /** What the provider says it collected, when it says; null when it does not. */
      readonly collected: Money | null;
    }
  | { readonly status: 'declined'; readonly orderId: string | null; readonly providerStatus: string }
  /** A CIT the customer must complete (3-D Secure or the like) in the merchant's checkout. */
  | {
      readonly status: 'challenge';
      readonly orderId: string | null;
      readonly orderSessionKey: string | null;
      readonly providerStatus: string;
    }
  /** Any other answer (e.g. `CAPTUREREQUIRED`, a status we have never seen, no order id). */
  | { readonly status: 'unknown'; readonly orderId: string | null; readonly providerStatus: string };

/** An order's state as the provider reports it now. `pending` covers every status we do not know. */
export type RescueOutcome =
  | { readonly status: 'pending'; readonly providerStatus: string }
  | {
      readonly status: 'approved';
      readonly confirmationId: string | null;
      /** What the provider says it collected, when it says; null when it does not. */
      readonly collected: Money | null;
    }
  | { readonly status: 'not_rescued'; readonly providerStatus: 'EXPIRED' | 'DECLINED' | 'CANCELLED' | string }
  | { readonly status: 'refunded'; readonly providerStatus: string }
  | { readonly status: 'not_found' };

/** A provider webhook after its signature verified, reduced to what the workflow acts on. */
export interface ProviderWebhookEvent {
  /** Unique per (order, event): repeated deliveries share it. */
  readonly id: string;
  readonly type: string;
  readonly orderId: string;
  readonly merchantOrderId: string | null;
  readonly confirmationId: string | null;
  readonly isResent: boolean;
}
