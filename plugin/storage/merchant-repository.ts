import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../core/errors.js';
import {
  FLEXCHARGE_ENVIRONMENTS,
  type FlexChargeEnvironment,
  type MerchantEngine,
} from '../core/merchant-settings.js';
import { FINAL_STATES } from '../core/rescue-states.js';
import type { SecretBox } from '../security/secret-box.js';
import { SecretValue } from '../security/secret-value.js';
import { createMerchantDetails } from './merchant-details.js';
import {
  type CredentialsInput,
  credentialsInput,
  type EngineConnectionInput,
  engineConnectionInput,
  type FlowInput,
  flowInput,
  type MerchantInput,
  merchantInput,
  validate,
} from './merchant-input.js';
import { inTransaction, lockMerchant, requireMerchant, S } from './merchant-rows.js';
import { createMerchantSites } from './merchant-sites.js';
import type { EngineConnectionForUse, FlexChargeCredentialsForUse, Merchant } from './merchant-views.js';
import { merchantFromRow } from './merchant-views.js';
import type { Database } from './schema.js';
import { credentialContext, engineConnectionContext, sealColumns, sealedFrom } from './sealed-columns.js';

export type {
  EngineConnectionForUse,
  FlexChargeCredentialsForUse,
  FlowProfile,
  Merchant,
  MerchantDetails,
  RedactedCredentials,
  RedactedEngineConnection,
  RedactedSecret,
  Site,
} from './merchant-views.js';

/**
 * Stored merchants and their parts: FlexCharge credentials per environment, flow profiles, sites,
 * and billing-engine connections. Every input is validated (a `ValidationError` names each bad
 * field); every secret is sealed with the `SecretBox`, bound to its row. Reads are redacted; only
 * `flexChargeCredentialsForUse` and `engineConnectionForUse` decrypt. Sites are in
 * `merchant-sites.ts`, the whole-merchant reads (details, fingerprint) in `merchant-details.ts`.
 */
export function createMerchantRepository(db: Kysely<Database>, box: SecretBox) {
  function openSecret(ciphertext: Uint8Array | null, keyId: string | null, context: string) {
    const sealed = sealedFrom(ciphertext, keyId);
    return sealed ? new SecretValue(box.open(sealed, context)) : null;
  }

  const details = createMerchantDetails(db, box);
  const sites = createMerchantSites(db);

  return {
    /**
     * Creates the merchant, or renames it and sets the metadata keys given; keys left out keep their
     * stored value (on create, the defaults `flexcharge_site` and `order_channel`). Its parts are
     * untouched. `created` tells a create from an update.
     */
    async upsertMerchant(input: MerchantInput, now: Date): Promise<Merchant & { readonly created: boolean }> {
      const m = validate(merchantInput, input, 'merchant');
      const keys = {
        ...(m.siteMetadataKey === undefined ? {} : { site_metadata_key: m.siteMetadataKey }),
        ...(m.orderChannelMetadataKey === undefined
          ? {}
          : { order_channel_metadata_key: m.orderChannelMetadataKey }),
      };
      const row = await db
        .insertInto(`${S}.merchants`)
        .values({ id: m.id, name: m.name, ...keys, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: m.name, ...keys, updated_at: now }))
        // xmax is zero only in a row version this statement inserted: PostgreSQL's tell of an insert.
        .returningAll()
        .returning(sql<boolean>`xmax = 0`.as('inserted'))
        .executeTakeFirstOrThrow();
      return { ...merchantFromRow(row), created: row.inserted };
    },

    async listMerchants(): Promise<Merchant[]> {
      const rows = await db.selectFrom(`${S}.merchants`).selectAll().orderBy('id').execute();
      return rows.map(merchantFromRow);
    },

    ...details,
    ...sites,

    /** Sets the merchant's credentials for one environment, replacing every field of that set. */
    async putFlexChargeCredentials(merchantId: string, input: CredentialsInput, now: Date): Promise<void> {
      const c = validate(credentialsInput, input, 'FlexCharge credentials');
      const id = await requireMerchant(db, merchantId);
      const ctx = (secret: string) => credentialContext(id, c.environment, secret);
      const appKey = box.seal(c.appKey, ctx('app_key'));
      const appSecret = box.seal(c.appSecret, ctx('app_secret'));
      const webhookKey = sealColumns(box, c.webhookKey, ctx('webhook_key'));
      const values = {
        app_key_ciphertext: appKey.ciphertext,
        app_key_key_id: appKey.keyId,
        app_secret_ciphertext: appSecret.ciphertext,
        app_secret_key_id: appSecret.keyId,
        mid: c.mid,
        webhook_key_ciphertext: webhookKey.ciphertext,
        webhook_key_key_id: webhookKey.keyId,
        default_site_id: c.defaultSiteId,
        default_site_url: c.defaultSiteUrl,
        updated_at: now,
      };
      await db
        .insertInto(`${S}.merchant_flexcharge_credentials`)
        .values({ merchant_id: id, environment: c.environment, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['merchant_id', 'environment']).doUpdateSet(values))
        .execute();
    },

    /**
     * Removes the merchant's credentials for one environment. Refused (`ConflictError`) while a flow
     * that is not off runs in that environment, or a rescue pinned to it is still open: either would
     * be left unable to reach FlexCharge. `NotFoundError` when none are stored.
     */
    async removeFlexChargeCredentials(merchantId: string, environment: FlexChargeEnvironment): Promise<void> {
      const env = validate(z.enum(FLEXCHARGE_ENVIRONMENTS), environment, 'environment');
      await inTransaction(db, async (trx) => {
        const id = await lockMerchant(trx, merchantId);
        const flows = await trx
          .selectFrom(`${S}.merchant_flows`)
          .select('flow')
          .where('merchant_id', '=', id)
          .where('environment', '=', env)
          .where('mode', '<>', 'off')
          .orderBy('flow')
          .execute();
        if (flows.length)
          throw new ConflictError(
            `flow ${flows.map((f) => f.flow).join(', ')} of merchant ${id} runs in ${env}: ` +
              'switch it off or to the other environment first',
          );
        const open = await trx
          .selectFrom(`${S}.rescues`)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('merchant_id', '=', id)
          .where('environment', '=', env)
          .where((eb) => eb.or([eb('order_open', '=', true), eb('state', 'not in', [...FINAL_STATES])]))
          .executeTakeFirstOrThrow();
        if (Number(open.n) > 0)
          throw new ConflictError(
            `${open.n} open rescue(s) of merchant ${id} were started in ${env} and need its credentials to finish`,
          );
        const deleted = await trx
          .deleteFrom(`${S}.merchant_flexcharge_credentials`)
          .where('merchant_id', '=', id)
          .where('environment', '=', env)
          .returning('environment')
          .executeTakeFirst();
        if (!deleted) throw new NotFoundError(`merchant ${id} has no ${env} credentials`);
      });
    },

    /** Sets one flow's mode and FlexCharge environment. */
    async putFlow(merchantId: string, input: FlowInput, now: Date): Promise<void> {
      const f = validate(flowInput, input, 'flow');
      const id = await requireMerchant(db, merchantId);
      const values = { mode: f.mode, environment: f.environment, updated_at: now };
      await db
        .insertInto(`${S}.merchant_flows`)
        .values({ merchant_id: id, flow: f.flow, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['merchant_id', 'flow']).doUpdateSet(values))
        .execute();
    },

    /**
     * Sets the merchant's connection to a billing engine, replacing every field of it but the
     * write-back mode, which is kept when the input leaves it out.
     */
    async putEngineConnection(merchantId: string, input: EngineConnectionInput, now: Date): Promise<void> {
      const e = validate(engineConnectionInput, input, 'engine connection');
      const id = await requireMerchant(db, merchantId);
      const ctx = (secret: string) => engineConnectionContext(id, e.engine, secret);
      const apiKey = sealColumns(box, e.apiKey, ctx('api_key'));
      const webhookSecret = sealColumns(box, e.webhookSecret, ctx('webhook_secret'));
      const values = {
        api_key_ciphertext: apiKey.ciphertext,
        api_key_key_id: apiKey.keyId,
        webhook_secret_ciphertext: webhookSecret.ciphertext,
        webhook_secret_key_id: webhookSecret.keyId,
        stripe_account_id: e.stripeAccountId,
        webhook_endpoint_id: e.webhookEndpointId,
        updated_at: now,
        ...(e.writeBackMode && { write_back_mode: e.writeBackMode }),
      };
      await db
        .insertInto(`${S}.merchant_engine_connections`)
        .values({ merchant_id: id, engine: e.engine, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['merchant_id', 'engine']).doUpdateSet(values))
        .execute()
        .catch((err: unknown) => {
          if (isUniqueViolation(err, 'merchant_engine_connections_account_key'))
            throw new ConflictError(`Stripe account ${e.stripeAccountId} belongs to another merchant`, {
              cause: err,
            });
          throw err;
        });
    },

    /** The merchant whose Stripe connection is on this connected account; null when none is. */
    async merchantIdForStripeAccount(accountId: string): Promise<string | null> {
      const row = await db
        .selectFrom(`${S}.merchant_engine_connections`)
        .select('merchant_id')
        .where('engine', '=', 'stripe')
        .where('stripe_account_id', '=', accountId)
        .executeTakeFirst();
      return row?.merchant_id ?? null;
    },

    /**
     * The decrypted credentials of one merchant and environment, for the FlexCharge client and the
     * webhook verifier only; null when none are stored. Throws `SecretBoxError` when they do not open.
     */
    async flexChargeCredentialsForUse(
      merchantId: string,
      environment: FlexChargeEnvironment,
    ): Promise<FlexChargeCredentialsForUse | null> {
      const c = await db
        .selectFrom(`${S}.merchant_flexcharge_credentials`)
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('environment', '=', environment)
        .executeTakeFirst();
      if (!c) return null;
      const ctx = (secret: string) => credentialContext(merchantId, environment, secret);
      return {
        merchantId,
        environment,
        appKey: new SecretValue(
          box.open({ keyId: c.app_key_key_id, ciphertext: c.app_key_ciphertext }, ctx('app_key')),
        ),
        appSecret: new SecretValue(
          box.open({ keyId: c.app_secret_key_id, ciphertext: c.app_secret_ciphertext }, ctx('app_secret')),
        ),
        mid: c.mid,
        webhookKey: openSecret(c.webhook_key_ciphertext, c.webhook_key_key_id, ctx('webhook_key')),
        defaultSiteId: c.default_site_id,
        defaultSiteUrl: c.default_site_url,
      };
    },

    /** The decrypted engine connection, for building the merchant's adapter only; null when none. */
    async engineConnectionForUse(
      merchantId: string,
      engine: MerchantEngine,
    ): Promise<EngineConnectionForUse | null> {
      const e = await db
        .selectFrom(`${S}.merchant_engine_connections`)
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('engine', '=', engine)
        .executeTakeFirst();
      if (!e) return null;
      const ctx = (secret: string) => engineConnectionContext(merchantId, engine, secret);
      return {
        merchantId,
        engine,
        apiKey: openSecret(e.api_key_ciphertext, e.api_key_key_id, ctx('api_key')),
        webhookSecret: openSecret(
          e.webhook_secret_ciphertext,
          e.webhook_secret_key_id,
          ctx('webhook_secret'),
        ),
        stripeAccountId: e.stripe_account_id,
        writeBackMode: e.write_back_mode,
        webhookEndpointId: e.webhook_endpoint_id,
      };
    },
  };
}

export type MerchantRepository = ReturnType<typeof createMerchantRepository>;

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === constraint;
}
