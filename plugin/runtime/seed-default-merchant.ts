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
 * The single-merchant installation, stored: at every start, the merchant `merchantId` (the bare
 * webhook routes act for it) is created or updated from the `FLEXCHARGE_*`, `MIT_MODE` and
 * `STRIPE_*` variables, so the environment stays the source of truth for it. Without FlexCharge
 * credentials it exists with MIT off, as before (in `local`, `withLocalDefaults` has filled in the
 * bundled sandbox's demo account). Credentials of the other environment, stored earlier, are kept:
 * a rescue started there must still be able to finish.
 */
export async function seedDefaultMerchant(
  db: Kysely<Database>,
  config: Config,
  deps: { box: SecretBox; clock: Clock; logger: Logger; merchantId: string },
): Promise<{ seeded: false } | { seeded: true; environment: FlexChargeEnvironment }> {
  const { FLEXCHARGE_APP_KEY: appKey, FLEXCHARGE_APP_SECRET: appSecret, FLEXCHARGE_MID: mid } = config;
  // The bundled local sandbox stands in for FlexCharge's sandbox: its demo account is a test account.
  const environment: FlexChargeEnvironment =
    config.FLEXCHARGE_ENV === 'production' ? 'production' : 'sandbox';
  const now = deps.clock.now();
  const configured = Boolean(appKey && appSecret && mid);
  await db.transaction().execute(async (trx) => {
    const merchants = createMerchantRepository(trx, deps.box);
    await merchants.upsertMerchant({ id: deps.merchantId, name: DEFAULT_MERCHANT_NAME }, now);
    const mode = configured ? config.MIT_MODE : 'off';
    await merchants.putFlow(deps.merchantId, { flow: 'mit', mode, environment }, now);
    await seedStripeConnection(trx, merchants, config, deps.merchantId, now);
    if (!appKey || !appSecret || !mid) return;
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
  });
  if (!configured) return { seeded: false };
  deps.logger.info('merchant from the environment stored', {
    merchantId: deps.merchantId,
    environment,
    ...(config.FLEXCHARGE_ENV === 'local' ? { note: 'FLEXCHARGE_ENV=local is stored as sandbox' } : {}),
  });
  return { seeded: true, environment };
}

/**
 * The process's Stripe key is the merchant's. Without one the bundled emulator runs, which the
 * directory uses for a merchant with no connection: a connection stored by an earlier start with a
 * key is removed, so it is never used behind the environment's back.
 */
async function seedStripeConnection(
  trx: Kysely<Database>,
  merchants: ReturnType<typeof createMerchantRepository>,
  config: Config,
  merchantId: string,
  now: Date,
): Promise<void> {
  if (!config.STRIPE_SECRET_KEY) {
    await trx
      .deleteFrom('flexcharge_mit.merchant_engine_connections')
      .where('merchant_id', '=', merchantId)
      .where('engine', '=', 'stripe')
      .execute();
    return;
  }
  await merchants.putEngineConnection(
    merchantId,
    {
      engine: 'stripe',
      apiKey: config.STRIPE_SECRET_KEY,
      webhookSecret: config.STRIPE_WEBHOOK_SECRET ?? null,
      writeBackMode: config.STRIPE_WRITE_BACK_MODE,
    },
    now,
  );
}
