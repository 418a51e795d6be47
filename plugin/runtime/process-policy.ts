import type { Config } from '../config/config-schema.js';
import { DEFAULT_NO_RETRY_DECLINE_CODES, type MerchantPolicy } from '../core/merchant-policy.js';

/** How long a CIT's CHALLENGE is followed for the customer to complete it. */
export const CHALLENGE_WINDOW_MS = 24 * 3_600_000;

/** The rescue rules of this process, the same for every merchant it serves. */
export function policyFromConfig(config: Config): MerchantPolicy {
  return {
    freshnessWindowMs: config.RESCUE_FRESHNESS_HOURS * 3_600_000,
    expiryDays: config.RESCUE_EXPIRY_DAYS,
    noRetryDeclineCodes: new Set(
      config.RESCUE_NO_RETRY_DECLINE_CODES?.split(',') ?? DEFAULT_NO_RETRY_DECLINE_CODES,
    ),
    pollIntervalMs: config.RESCUE_POLL_INTERVAL_MINUTES * 60_000,
    expiryGraceMs: 3_600_000,
    challengeWindowMs: CHALLENGE_WINDOW_MS,
    releaseFallback: config.RESCUE_RELEASE_FALLBACK,
  };
}
