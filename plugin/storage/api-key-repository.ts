import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { createAuditLog } from './audit-log.js';
import { validate } from './merchant-input.js';
import { inTransaction, lockMerchant, S } from './merchant-rows.js';
import type { Database, MerchantApiKeysTable } from './schema.js';

/** A key as shown: never the key itself, never its hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  /** The key starts `fcm_<prefix>_`: how a person tells one key from another. */
  readonly prefix: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Who a verified key speaks for. */
export interface VerifiedApiKey {
  readonly id: string;
  readonly merchantId: string;
  readonly prefix: string;
}

// `fcm_`, 12 hex characters (6 random bytes) that find the row, `_`, then 32 random bytes base64url.
const KEY_PATTERN = /^fcm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const nameSchema = z.string().trim().min(1, 'must not be empty').max(100);
const keyIdSchema = z.uuid('must be an API key id (a UUID)');
// Compared against when no row has the prefix, so a miss costs what a hit does.
const NO_HASH = Buffer.alloc(32);
// last_used_at is written at most this often per key: a checkout calling every second must not
// turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

const hashOf = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * A merchant's API keys: created (the key is returned once and only its SHA-256 is stored), listed,
 * revoked, verified. Creating and revoking append their audit entry in the same transaction.
 */
export function createApiKeyRepository(db: Kysely<Database>) {
  return {
    /** A new key for the merchant: `key` is in this answer only. `NotFoundError` for an unknown merchant. */
    async create(input: {
      merchantId: string;
      name: string;
      actor: string;
      now: Date;
    }): Promise<{ key: string; apiKey: ApiKeyView }> {
      const name = validate(nameSchema, input.name, 'name');
      // Six random bytes of prefix: a collision is unlikely, and answered with a fresh one.
      for (let attempt = 1; ; attempt++) {
        const prefix = randomBytes(6).toString('hex');
        const key = `fcm_${prefix}_${randomBytes(32).toString('base64url')}`;
        try {
          return await inTransaction(db, async (trx) => {
            const merchantId = await lockMerchant(trx, input.merchantId);
            const row = await trx
              .insertInto(`${S}.merchant_api_keys`)
              .values({
                merchant_id: merchantId,
                name,
                prefix,
                key_hash: hashOf(key),
                created_at: input.now,
                created_by: input.actor,
              })
              .returningAll()
              .executeTakeFirstOrThrow();
            const apiKey = viewOf(row);
            await createAuditLog(trx).append({
              at: input.now,
              merchantId,
              actor: input.actor,
              action: 'api_key.created',
              target: apiKey.id,
              before: null,
              after: apiKey,
            });
            return { key, apiKey };
          });
        } catch (err) {
          const e = err as { code?: unknown; constraint?: unknown };
          if (attempt < 3 && e?.code === '23505' && e.constraint === 'merchant_api_keys_prefix_key') continue;
          throw err;
        }
      }
    },

    /** The merchant's keys, oldest first, revoked ones included. */
    async list(merchantId: string): Promise<ApiKeyView[]> {
      const rows = await db
        .selectFrom(`${S}.merchant_api_keys`)
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(viewOf);
    },

    /**
     * Revokes the key: refused from the next request on. Revoking a revoked key changes nothing and
     * records nothing. `NotFoundError` when the merchant has no such key.
     */
    async revoke(input: {
      merchantId: string;
      keyId: string;
      actor: string;
      now: Date;
    }): Promise<ApiKeyView> {
      const keyId = validate(keyIdSchema, input.keyId, 'api key id');
      return inTransaction(db, async (trx) => {
        const merchantId = await lockMerchant(trx, input.merchantId);
        const row = await trx
          .selectFrom(`${S}.merchant_api_keys`)
          .selectAll()
          .where('merchant_id', '=', merchantId)
          .where('id', '=', keyId)
          .executeTakeFirst();
        if (!row) throw new NotFoundError(`merchant ${merchantId} has no API key ${keyId}`);
        if (row.revoked_at) return viewOf(row);
        const revoked = await trx
          .updateTable(`${S}.merchant_api_keys`)
          .set({ revoked_at: input.now })
          .where('id', '=', keyId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await createAuditLog(trx).append({
          at: input.now,
          merchantId,
          actor: input.actor,
          action: 'api_key.revoked',
          target: keyId,
          before: viewOf(row),
          after: viewOf(revoked),
        });
        return viewOf(revoked);
      });
    },

    /**
     * The merchant a presented key speaks for, or null: not a key, unknown, wrong, or revoked. The
     * hash is compared in constant time; a revoked key is refused on the first request after.
     */
    async verify(presented: string, now: Date): Promise<VerifiedApiKey | null> {
      const match = KEY_PATTERN.exec(presented);
      if (!match) return null;
      const prefix = match[1] as string;
      const row = await db
        .selectFrom(`${S}.merchant_api_keys`)
        .select(['id', 'merchant_id', 'key_hash', 'revoked_at', 'last_used_at'])
        .where('prefix', '=', prefix)
        .executeTakeFirst();
      const expected = row ? Buffer.from(row.key_hash) : NO_HASH;
      const matches = timingSafeEqual(hashOf(presented), expected);
      if (!row || !matches || row.revoked_at !== null) return null;
      const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
      if (!row.last_used_at || row.last_used_at < stale)
        await db
          .updateTable(`${S}.merchant_api_keys`)
          .set({ last_used_at: now })
          .where('id', '=', row.id)
          .execute();
      return { id: row.id, merchantId: row.merchant_id, prefix };
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;

function viewOf(row: Selectable<MerchantApiKeysTable>): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
