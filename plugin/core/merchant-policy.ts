/** How rescues are run: the process's rules (flows and sites are the merchant's, in its profile). */
export interface MerchantPolicy {
  /** A failure older than this when we first see it is not handed over (FlexCharge wants same-day). */
  readonly freshnessWindowMs: number;
  readonly expiryDays: number;
  /** Decline codes card networks forbid retrying (lost, stolen, pick-up, fraud, revoked). */
  readonly noRetryDeclineCodes: ReadonlySet<string>;
  /** How often a held rescue is polled when no webhook has settled it. */
  readonly pollIntervalMs: number;
  /** After expiry, how long to wait for the provider's final word before releasing anyway. */
  readonly expiryGraceMs: number;
  /** How long a CIT's CHALLENGE is followed for the customer to complete it before giving up. */
  readonly challengeWindowMs: number;
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
