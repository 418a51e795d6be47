import type { ChargeReport, RenewalFailure } from './billing-engine.js';
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

  /** Returns a collected payment (FlexCharge collected after the invoice was paid elsewhere). */
  refund(
    orderId: string,
    amount: Money,
    reason: string,
  ): Promise<{ refunded: boolean; message: string | null }>;

  /** Reports a processed charge, approved or declined; returns the provider's transaction key. */
  transmit(
    charge: ChargeReport,
    context: { merchantOrderId: string; site: SiteReference },
  ): Promise<{ transmitId: string | null }>;
}

/** Which of the merchant's sites (FlexCharge siteId, else siteUrl, else the descriptor) the order belongs to. */
export interface SiteReference {
  readonly siteId: string | null;
  readonly siteUrl: string | null;
  readonly descriptor: string | null;
}

export interface RenewalSubmission {
  readonly rescueId: string;
  /** Our order id at the provider: the engine's invoice id. */
  readonly merchantOrderId: string;
  readonly renewal: RenewalFailure;
  readonly cardToken: string;
  readonly expiresAt: Date;
  readonly site: SiteReference;
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
  /** Any other answer (e.g. `CHALLENGE`, `CAPTUREREQUIRED`, a status we have never seen, no order id). */
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
