import type { SiteReference } from './rescue-provider.js';

/** What one merchant has switched on and how its rescues are run. */
export interface MerchantPolicy {
  readonly merchantId: string;
  readonly mitEnabled: boolean;
  /** A failure older than this when we first see it is not handed over (FlexCharge wants same-day). */
  readonly freshnessWindowMs: number;
  readonly expiryDays: number;
  /** Decline codes card networks forbid retrying (lost, stolen, pick-up, fraud, revoked). */
  readonly noRetryDeclineCodes: ReadonlySet<string>;
  /** How often a held rescue is polled when no webhook has settled it. */
  readonly pollIntervalMs: number;
  /** After expiry, how long to wait for the provider's final word before releasing anyway. */
  readonly expiryGraceMs: number;
  readonly site: SiteReference;
  /** After a release, when the engine has scheduled no further attempt of its own. */
  readonly releaseFallback: ReleaseFallback;
}

/** `retry_once`: one off-session payment attempt; `mark_uncollectible`: end it; `none`: leave it open. */
export type ReleaseFallback = 'retry_once' | 'mark_uncollectible' | 'none';

/** Stripe's codes plus ISO 8583 response codes for the same conditions. */
export const DEFAULT_NO_RETRY_DECLINE_CODES: readonly string[] = [
  'lost_card',
  'stolen_card',
  'pickup_card',
  'fraudulent',
  'merchant_blacklist',
  'restricted_card',
  'revocation_of_authorization',
  'revocation_of_all_authorizations',
  'stop_payment_order',
  'security_violation',
  '04',
  '07',
  '41',
  '43',
  '59',
  'R0',
  'R1',
  'R3',
];
