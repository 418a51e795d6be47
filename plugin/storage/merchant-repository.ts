import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import type { FlexChargeEnvironment, MerchantEngine } from '../core/merchant-settings.js';
import type { SealedSecret, SecretBox } from '../security/secret-box.js';
import { SecretValue } from '../security/secret-value.js';
import {
  type CredentialsInput,
  credentialsInput,
  type EngineConnectionInput,
  engineConnectionInput,
  type FlowInput,
  flowInput,
  type MerchantInput,
  merchantIdSchema,
  merchantInput,
  type SiteInput,
  siteIdSchema,
  siteInput,
  validate,
} from './merchant-input.js';
import type {
  EngineConnectionForUse,
  FlexChargeCredentialsForUse,
  Merchant,
  MerchantDetails,
  RedactedSecret,
  Site,
} from './merchant-views.js';
import { siteColumns, siteFromRow } from './merchant-views.js';
import type { Database } from './schema.js';

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

import { credentialContext, engineConnectionContext, sealColumns, sealedFrom } from './sealed-columns.js';

const S = 'flexcharge_mit' as const;

// Below this length, even four characters say too much about a secret.
const MIN_LENGTH_TO_SHOW_LAST4 = 12;

/**
 * Stored merchants and their parts: FlexCharge credentials per environment, flow profiles, sites,
 * and billing-engine connections. Every input is validated (a `ValidationError` names each bad
 * field); every secret is sealed with the `SecretBox`, bound to its row. Reads are redacted; only
 * `flexChargeCredentialsForUse` and `engineConnectionForUse` decrypt.
 */
export function createMerchantRepository(db: Kysely<Database>, box: SecretBox) {
  function redact(sealed: SealedSecret, context: string): RedactedSecret {
    if (!box.knows(sealed.keyId)) return { last4: null, keyId: sealed.keyId, readable: false };
    // Opened only to show its tail; a ciphertext that does not authenticate is shown as unreadable.
    try {
      const plain = box.open(sealed, context);
      const last4 = plain.length >= MIN_LENGTH_TO_SHOW_LAST4 ? plain.slice(-4) : null;
      return { last4, keyId: sealed.keyId, readable: true };
    } catch {
      return { last4: null, keyId: sealed.keyId, readable: false };
    }
  }
  function redactOptional(ciphertext: Uint8Array | null, keyId: string | null, context: string) {
    const sealed = sealedFrom(ciphertext, keyId);
    return sealed ? redact(sealed, context) : null;
  }

  function openSecret(ciphertext: Uint8Array | null, keyId: string | null, context: string) {
    const sealed = sealedFrom(ciphertext, keyId);
    return sealed ? new SecretValue(box.open(sealed, context)) : null;
  }

  async function requireMerchant(merchantId: string): Promise<string> {
    const id = validate(merchantIdSchema, merchantId, 'merchant id');
    const found = await db.selectFrom(`${S}.merchants`).select('id').where('id', '=', id).executeTakeFirst();
    if (!found) throw new NotFoundError(`unknown merchant ${id}`);
    return id;
  }

  return {
    /** Creates the merchant, or renames it; its parts are untouched. */
    async upsertMerchant(input: MerchantInput, now: Date): Promise<Merchant> {
      const m = validate(merchantInput, input, 'merchant');
      const row = await db
        .insertInto(`${S}.merchants`)
        .values({ id: m.id, name: m.name, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: m.name, updated_at: now }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return { id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
    },

    async listMerchants(): Promise<Merchant[]> {
      const rows = await db.selectFrom(`${S}.merchants`).selectAll().orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at }));
    },

    /** The merchant and all its parts, secrets redacted; null when there is no such merchant. */
    async getMerchant(merchantId: string): Promise<MerchantDetails | null> {
      const id = validate(merchantIdSchema, merchantId, 'merchant id');
      const m = await db.selectFrom(`${S}.merchants`).selectAll().where('id', '=', id).executeTakeFirst();
      if (!m) return null;
      const [credentials, flows, sites, engines] = await Promise.all([
        db
          .selectFrom(`${S}.merchant_flexcharge_credentials`)
          .selectAll()
          .where('merchant_id', '=', id)
          .orderBy('environment')
          .execute(),
        db
          .selectFrom(`${S}.merchant_flows`)
          .selectAll()
          .where('merchant_id', '=', id)
          .orderBy('flow')
          .execute(),
        db
          .selectFrom(`${S}.merchant_sites`)
          .selectAll()
          .where('merchant_id', '=', id)
          .orderBy('created_at')
          .orderBy('id')
          .execute(),
        db
          .selectFrom(`${S}.merchant_engine_connections`)
          .selectAll()
          .where('merchant_id', '=', id)
          .orderBy('engine')
          .execute(),
      ]);
      return {
        id: m.id,
        name: m.name,
        createdAt: m.created_at,
        updatedAt: m.updated_at,
        credentials: credentials.map((c) => {
          const ctx = (secret: string) => credentialContext(id, c.environment, secret);
          return {
            environment: c.environment,
            appKey: redact({ keyId: c.app_key_key_id, ciphertext: c.app_key_ciphertext }, ctx('app_key')),
            appSecret: redact(
              { keyId: c.app_secret_key_id, ciphertext: c.app_secret_ciphertext },
              ctx('app_secret'),
            ),
            mid: c.mid,
            webhookKey: redactOptional(c.webhook_key_ciphertext, c.webhook_key_key_id, ctx('webhook_key')),
            defaultSiteId: c.default_site_id,
            defaultSiteUrl: c.default_site_url,
            updatedAt: c.updated_at,
          };
        }),
        flows: flows.map((f) => ({
          flow: f.flow,
          mode: f.mode,
          environment: f.environment,
          updatedAt: f.updated_at,
        })),
        sites: sites.map(siteFromRow),
        engines: engines.map((e) => {
          const ctx = (secret: string) => engineConnectionContext(id, e.engine, secret);
          return {
            engine: e.engine,
            apiKey: redactOptional(e.api_key_ciphertext, e.api_key_key_id, ctx('api_key')),
            webhookSecret: redactOptional(
              e.webhook_secret_ciphertext,
              e.webhook_secret_key_id,
              ctx('webhook_secret'),
            ),
            stripeAccountId: e.stripe_account_id,
            updatedAt: e.updated_at,
          };
        }),
      };
    },

    /** Sets the merchant's credentials for one environment, replacing every field of that set. */
    async putFlexChargeCredentials(merchantId: string, input: CredentialsInput, now: Date): Promise<void> {
      const id = await requireMerchant(merchantId);
      const c = validate(credentialsInput, input, 'FlexCharge credentials');
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

    /** Sets one flow's mode and FlexCharge environment. */
    async putFlow(merchantId: string, input: FlowInput, now: Date): Promise<void> {
      const id = await requireMerchant(merchantId);
      const f = validate(flowInput, input, 'flow');
      const values = { mode: f.mode, environment: f.environment, updated_at: now };
      await db
        .insertInto(`${S}.merchant_flows`)
        .values({ merchant_id: id, flow: f.flow, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['merchant_id', 'flow']).doUpdateSet(values))
        .execute();
    },

    /** Adds a site; returns it with its id. */
    async addSite(merchantId: string, input: SiteInput, now: Date): Promise<Site> {
      const id = await requireMerchant(merchantId);
      const row = await db
        .insertInto(`${S}.merchant_sites`)
        .values({
          merchant_id: id,
          ...siteColumns(validate(siteInput, input, 'site')),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return siteFromRow(row);
    },

    /** Replaces a site's fields; `NotFoundError` when the merchant has no such site. */
    async updateSite(merchantId: string, siteId: string, input: SiteInput, now: Date): Promise<Site> {
      const id = await requireMerchant(merchantId);
      const values = { ...siteColumns(validate(siteInput, input, 'site')), updated_at: now };
      const row = await db
        .updateTable(`${S}.merchant_sites`)
        .set(values)
        .where('merchant_id', '=', id)
        .where('id', '=', validate(siteIdSchema, siteId, 'site id'))
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`merchant ${id} has no site ${siteId}`);
      return siteFromRow(row);
    },

    /** Sets the merchant's connection to a billing engine, replacing every field of it. */
    async putEngineConnection(merchantId: string, input: EngineConnectionInput, now: Date): Promise<void> {
      const id = await requireMerchant(merchantId);
      const e = validate(engineConnectionInput, input, 'engine connection');
      const ctx = (secret: string) => engineConnectionContext(id, e.engine, secret);
      const apiKey = sealColumns(box, e.apiKey, ctx('api_key'));
      const webhookSecret = sealColumns(box, e.webhookSecret, ctx('webhook_secret'));
      const values = {
        api_key_ciphertext: apiKey.ciphertext,
        api_key_key_id: apiKey.keyId,
        webhook_secret_ciphertext: webhookSecret.ciphertext,
        webhook_secret_key_id: webhookSecret.keyId,
        stripe_account_id: e.stripeAccountId,
        updated_at: now,
      };
      await db
        .insertInto(`${S}.merchant_engine_connections`)
        .values({ merchant_id: id, engine: e.engine, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['merchant_id', 'engine']).doUpdateSet(values))
        .execute();
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
      };
    },
  };
}

export type MerchantRepository = ReturnType<typeof createMerchantRepository>;
