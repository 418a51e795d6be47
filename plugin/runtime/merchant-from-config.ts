import type { Config } from '../config/config-schema.js';
import type { BillingEngineAdapter } from '../core/billing-engine.js';
import { NotFoundError, ProviderError } from '../core/errors.js';
import { DEFAULT_NO_RETRY_DECLINE_CODES, type MerchantPolicy } from '../core/merchant-policy.js';
import type { MerchantDirectory, MerchantRuntime } from '../core/merchant-runtime.js';

/** The policy of the one merchant configured from the environment. */
export function policyFromConfig(config: Config, merchantId: string, hasFlexCharge: boolean): MerchantPolicy {
  return {
    merchantId,
    // MIT is on as soon as FlexCharge credentials are given, unless MIT_MODE=off.
    mitEnabled: hasFlexCharge && config.MIT_MODE === 'on',
    freshnessWindowMs: config.RESCUE_FRESHNESS_HOURS * 3_600_000,
    expiryDays: config.RESCUE_EXPIRY_DAYS,
    noRetryDeclineCodes: new Set(
      config.RESCUE_NO_RETRY_DECLINE_CODES?.split(',') ?? DEFAULT_NO_RETRY_DECLINE_CODES,
    ),
    pollIntervalMs: config.RESCUE_POLL_INTERVAL_MINUTES * 60_000,
    expiryGraceMs: 3_600_000,
    releaseFallback: config.RESCUE_RELEASE_FALLBACK,
    site: {
      siteId: config.FLEXCHARGE_SITE_ID ?? null,
      siteUrl: config.FLEXCHARGE_SITE_URL ?? null,
      descriptor: null,
    },
  };
}

/** Stands in for FlexCharge when no credentials are configured: every call says so, none is retried. */
const unconfiguredProvider: MerchantRuntime['provider'] = {
  id: 'flexcharge',
  acceptsAmount: () => false,
  submitRenewal: notConfigured,
  outcome: notConfigured,
  cancel: notConfigured,
  refund: notConfigured,
  transmit: notConfigured,
};

async function notConfigured(): Promise<never> {
  throw new ProviderError(
    'flexcharge',
    'FlexCharge credentials are not configured (FLEXCHARGE_APP_KEY/SECRET)',
    {
      retryable: false,
    },
  );
}

export function singleMerchantDirectory(input: {
  merchantId: string;
  policy: MerchantPolicy;
  provider: MerchantRuntime['provider'] | null;
  engines: readonly BillingEngineAdapter[];
}): MerchantDirectory {
  const runtime: MerchantRuntime = {
    merchantId: input.merchantId,
    policy: input.policy,
    provider: input.provider ?? unconfiguredProvider,
    engine(engineId) {
      const engine = input.engines.find((e) => e.id === engineId);
      if (!engine) throw new NotFoundError(`billing engine ${engineId} is not configured`);
      return engine;
    },
  };
  return {
    get(merchantId) {
      if (merchantId !== input.merchantId) throw new NotFoundError(`unknown merchant ${merchantId}`);
      return runtime;
    },
  };
}
