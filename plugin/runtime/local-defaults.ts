import type { Config } from '../config/config-schema.js';

/**
 * FLEXCHARGE_ENV=local needs no FlexCharge account: what the merchant leaves unset is filled in with
 * the bundled sandbox's public demo account (its credential, MID and site, and the webhook key it
 * signs with), so the plugin sends what the sandbox, like the real API, requires. Other environments
 * are returned unchanged, and the sandbox's code is not even loaded for them.
 */
export async function withLocalDefaults(config: Config): Promise<Config> {
  if (config.FLEXCHARGE_ENV !== 'local') return config;
  const { DEMO_CREDENTIAL, DEMO_SUBSCRIBER_KEY } = await import(
    '../../adapters/flexcharge/sandbox/sandbox-credentials.js'
  );
  const hasSite = Boolean(config.FLEXCHARGE_SITE_ID ?? config.FLEXCHARGE_SITE_URL);
  return {
    ...config,
    FLEXCHARGE_APP_KEY: config.FLEXCHARGE_APP_KEY ?? DEMO_CREDENTIAL.appKey,
    FLEXCHARGE_APP_SECRET: config.FLEXCHARGE_APP_SECRET ?? DEMO_CREDENTIAL.appSecret,
    FLEXCHARGE_MID: config.FLEXCHARGE_MID ?? DEMO_CREDENTIAL.mid,
    FLEXCHARGE_SITE_ID: hasSite ? config.FLEXCHARGE_SITE_ID : DEMO_CREDENTIAL.siteIds?.[0],
    FLEXCHARGE_WEBHOOK_KEY: config.FLEXCHARGE_WEBHOOK_KEY ?? DEMO_SUBSCRIBER_KEY,
  };
}
