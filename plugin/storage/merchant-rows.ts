import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import { merchantIdSchema, validate } from './merchant-input.js';
import type { Database } from './schema.js';

/** What the merchant modules share: finding the merchant, locking it, and running in a transaction. */

export const S = 'flexcharge_mit' as const;

/** The validated id of a stored merchant; `NotFoundError` when there is none. */
export async function requireMerchant(db: Kysely<Database>, merchantId: string): Promise<string> {
  const id = validate(merchantIdSchema, merchantId, 'merchant id');
  const found = await db.selectFrom(`${S}.merchants`).select('id').where('id', '=', id).executeTakeFirst();
  if (!found) throw new NotFoundError(`unknown merchant ${id}`);
  return id;
}

/**
 * As `requireMerchant`, with the merchant's row locked until the transaction ends: writes that must
 * see each other's result (two sites made default at once) take turns instead of one failing on a
 * unique index, and a check made under the lock still holds when the write lands.
 */
export async function lockMerchant(trx: Kysely<Database>, merchantId: string): Promise<string> {
  const id = validate(merchantIdSchema, merchantId, 'merchant id');
  const found = await trx
    .selectFrom(`${S}.merchants`)
    .select('id')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!found) throw new NotFoundError(`unknown merchant ${id}`);
  return id;
}

/** Runs `fn` in a transaction, or in the one `db` already is (the start-up seed hands one in). */
export function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
