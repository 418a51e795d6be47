import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import type {
  FlexChargeEnvironment,
  FlowMode,
  MerchantEngine,
  MerchantFlow,
} from '../core/merchant-settings.js';
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
import type { Database } from './schema.js';
import { credentialContext, engineConnectionContext, sealColumns, sealedFrom } from './sealed-columns.js';

const S = 'flexcharge_mit' as const;

/**
 * What a read shows of a secret: that it is set, the key that sealed it, and its last four characters
 * when the secret is long enough for four to give nothing away (and the key is at hand to open it).
 */
export interface RedactedSecret {
  readonly last4: string | null;
  readonly keyId: string;
  /** False when the configured keys cannot open it: rotate, or restore the previous key. */
  readonly readable: boolean;
}

export interface Merchant {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RedactedCredentials {
  readonly environment: FlexChargeEnvironment;
  readonly appKey: RedactedSecret;
  readonly appSecret: RedactedSecret;
  readonly mid: string;
  readonly webhookKey: RedactedSecret | null;
  readonly defaultSiteId: string | null;
  readonly defaultSiteUrl: string | null;
  readonly updatedAt: Date;
}

export interface FlowProfile {
  readonly flow: MerchantFlow;
  readonly mode: FlowMode;
  readonly environment: FlexChargeEnvironment;
  readonly updatedAt: Date;
}

export interface Site {
  readonly id: string;
  readonly url: string | null;
  readonly statementDescriptor: string | null;
  readonly flexchargeSiteId: string | null;
  readonly enabled: Readonly<Record<MerchantFlow, boolean>>;
  readonly updatedAt: Date;
}

export interface RedactedEngineConnection {
  readonly engine: MerchantEngine;
  readonly apiKey: RedactedSecret | null;
  readonly webhookSecret: RedactedSecret | null;
  readonly stripeAccountId: string | null;
  readonly updatedAt: Date;
}

/** A merchant with all its parts, secrets redacted: what any API, log or listing may show. */
export interface MerchantDetails extends Merchant {
  readonly credentials: readonly RedactedCredentials[];
  readonly flows: readonly FlowProfile[];
  readonly sites: readonly Site[];
  readonly engines: readonly RedactedEngineConnection[];
}

/** Decrypted FlexCharge credentials, for building the client of one merchant and environment. */
export interface FlexChargeCredentialsForUse {
  readonly merchantId: string;
  readonly environment: FlexChargeEnvironment;
  readonly appKey: SecretValue;
  readonly appSecret: SecretValue;
  readonly mid: string;
  readonly webhookKey: SecretValue | null;
  readonly defaultSiteId: string | null;
  readonly defaultSiteUrl: string | null;
}

/** Decrypted engine connection, for building the billing-engine adapter of one merchant. */
export interface EngineConnectionForUse {
  readonly merchantId: string;
  readonly engine: MerchantEngine;
  readonly apiKey: SecretValue | null;
  readonly webhookSecret: SecretValue | null;
  readonly stripeAccountId: string | null;
}

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

function siteColumns(s: ReturnType<typeof siteInput.parse>) {
  return {
    url: s.url,
    statement_descriptor: s.statementDescriptor,
    flexcharge_site_id: s.flexchargeSiteId,
    mit_enabled: s.enabled.mit,
    cit_website_enabled: s.enabled.cit_website,
    cit_call_center_enabled: s.enabled.cit_call_center,
  };
}

function siteFromRow(r: {
  id: string;
  url: string | null;
  statement_descriptor: string | null;
  flexcharge_site_id: string | null;
  mit_enabled: boolean;
  cit_website_enabled: boolean;
  cit_call_center_enabled: boolean;
  updated_at: Date;
}): Site {
  return {
    id: r.id,
    url: r.url,
    statementDescriptor: r.statement_descriptor,
    flexchargeSiteId: r.flexcharge_site_id,
    enabled: {
      mit: r.mit_enabled,
      cit_website: r.cit_website_enabled,
      cit_call_center: r.cit_call_center_enabled,
    },
    updatedAt: r.updated_at,
  };
}
