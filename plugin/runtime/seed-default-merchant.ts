import type { Kysely } from 'kysely';
import type { Config } from '../config/config-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { SecretBox } from '../security/secret-box.js';
import { createMerchantRepository } from '../storage/merchant-repository.js';
import type { Database } from '../storage/schema.js';

export const DEFAULT_MERCHANT_NAME = 'Merchant configured from the environment';

/**
 * The single-merchant installation, stored: at every start, the merchant `merchantId` is created or
 * updated from the `FLEXCHARGE_*`, `MIT_MODE` and `STRIPE_*` variables, so the environment stays the
 * source of truth for it. Runs only when FlexCharge credentials are configured (in `local`,
 * `withLocalDefaults` has filled in the bundled sandbox's demo account). Credentials of the other
 * environment, stored earlier, are kept: a rescue started there must still be able to finish.
 *
 * Not yet read by the worker or the webhooks: they still use the environment-built directory.
 */
export async function seedDefaultMerchant(
  db: Kysely<Database>,
  config: Config,
  deps: { box: SecretBox; clock: Clock; logger: Logger; merchantId: string },
): Promise<{ seeded: false } | { seeded: true; environment: FlexChargeEnvironment }> {
  const { FLEXCHARGE_APP_KEY: appKey, FLEXCHARGE_APP_SECRET: appSecret, FLEXCHARGE_MID: mid } = config;
  if (!appKey || !appSecret || !mid) return { seeded: false };
  // The bundled local sandbox stands in for FlexCharge's sandbox: its demo account is a test account.
  const environment: FlexChargeEnvironment =
    config.FLEXCHARGE_ENV === 'production' ? 'production' : 'sandbox';
  const now = deps.clock.now();
  await db.transaction().execute(async (trx) => {
    const merchants = createMerchantRepository(trx, deps.box);
    await merchants.upsertMerchant({ id: deps.merchantId, name: DEFAULT_MERCHANT_NAME }, now);
    await merchants.putFlexChargeCredentials(
      deps.merchantId,
      {
        environment,
        appKey,
        appSecret,
        mid,
        webhookKey: config.FLEXCHARGE_WEBHOOK_KEY ?? null,
        defaultSiteId: config.FLEXCHARGE_SITE_ID ?? null,
        defaultSiteUrl: config.FLEXCHARGE_SITE_URL ?? null,
      },
      now,
    );
    await merchants.putFlow(deps.merchantId, { flow: 'mit', mode: config.MIT_MODE, environment }, now);
    // Without a key the bundled Stripe emulator runs; its generated secrets are not worth keeping.
    if (config.STRIPE_SECRET_KEY) {
      await merchants.putEngineConnection(
        deps.merchantId,
        {
          engine: 'stripe',
          apiKey: config.STRIPE_SECRET_KEY,
          webhookSecret: config.STRIPE_WEBHOOK_SECRET ?? null,
        },
        now,
      );
    }
  });
  deps.logger.info('merchant from the environment stored', {
    merchantId: deps.merchantId,
    environment,
    ...(config.FLEXCHARGE_ENV === 'local' ? { note: 'FLEXCHARGE_ENV=local is stored as sandbox' } : {}),
  });
  return { seeded: true, environment };
}
