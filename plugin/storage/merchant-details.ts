import { type Kysely, sql } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import type { SealedSecret, SecretBox } from '../security/secret-box.js';
import { merchantIdSchema, validate } from './merchant-input.js';
import { S } from './merchant-rows.js';
import { type MerchantDetails, merchantFromRow, type RedactedSecret, siteFromRow } from './merchant-views.js';
import type { Database } from './schema.js';
import { credentialContext, engineConnectionContext, sealedFrom } from './sealed-columns.js';

// Below this length, even four characters say too much about a secret.
const MIN_LENGTH_TO_SHOW_LAST4 = 12;

/** Whole-merchant reads: the redacted details, and the fingerprint that tells when they changed. */
export function createMerchantDetails(db: Kysely<Database>, box: SecretBox) {
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

  return {
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
        ...merchantFromRow(m),
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
            writeBackMode: e.write_back_mode,
            updatedAt: e.updated_at,
          };
        }),
      };
    },

    /**
     * A short string that changes whenever the merchant or any of its parts (credentials, flows,
     * sites, engine connections) is written, added or deleted. It hashes the rows themselves rather
     * than comparing timestamps and counts: two writes under a clock standing still, or a site
     * deleted and another added, still change it; a secret re-sealed by `keys rotate` counts as a
     * change, which costs one needless rebuild. One query, a handful of rows; the running plugin
     * compares it to rebuild the merchant's clients. `NotFoundError` for an unknown merchant.
     */
    async fingerprint(merchantId: string): Promise<string> {
      const id = validate(merchantIdSchema, merchantId, 'merchant id');
      const part = (table: string, order: string) =>
        sql`coalesce((select string_agg(md5(p::text), ',' order by ${sql.ref(`p.${order}`)})
          from ${sql.table(`${S}.${table}`)} p where p.merchant_id = ${id}), '')`;
      const { rows } = await sql<{ fingerprint: string }>`
        select md5(concat_ws('|',
          md5(m::text),
          ${part('merchant_flexcharge_credentials', 'environment')},
          ${part('merchant_flows', 'flow')},
          ${part('merchant_sites', 'id')},
          ${part('merchant_engine_connections', 'engine')}
        )) as fingerprint
        from ${sql.table(`${S}.merchants`)} m where m.id = ${id}`.execute(db);
      const row = rows[0];
      if (!row) throw new NotFoundError(`unknown merchant ${id}`);
      return row.fingerprint;
    },
  };
}
