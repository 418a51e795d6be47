import type { Kysely } from 'kysely';
import type { SecretBox } from '../security/secret-box.js';
import type { Database } from './schema.js';
import { cardTokenContext as contextOf } from './sealed-columns.js';

const T = 'flexcharge_mit.card_tokens' as const;

/**
 * FlexCharge tokens the merchant's checkout registered for an engine's payment methods, kept
 * encrypted: a token is not card data, but it is what lets a charge be made on the card.
 */
export function createCardTokenRepository(db: Kysely<Database>, box: SecretBox) {
  return {
    async register(input: {
      merchantId: string;
      engine: string;
      paymentMethodId: string;
      token: string;
      now: Date;
    }): Promise<void> {
      const sealed = box.seal(input.token, contextOf(input.merchantId, input.engine, input.paymentMethodId));
      const values = {
        token: null,
        token_ciphertext: sealed.ciphertext,
        token_key_id: sealed.keyId,
        created_at: input.now,
      };
      await db
        .insertInto(T)
        .values({
          merchant_id: input.merchantId,
          engine: input.engine,
          payment_method_id: input.paymentMethodId,
          ...values,
        })
        .onConflict((oc) => oc.columns(['merchant_id', 'engine', 'payment_method_id']).doUpdateSet(values))
        .execute();
    },

    /** The token, or null when none is registered; throws when one is stored but does not open. */
    async find(merchantId: string, engine: string, paymentMethodId: string): Promise<string | null> {
      const row = await db
        .selectFrom(T)
        .select(['token', 'token_ciphertext', 'token_key_id'])
        .where('merchant_id', '=', merchantId)
        .where('engine', '=', engine)
        .where('payment_method_id', '=', paymentMethodId)
        .executeTakeFirst();
      if (!row) return null;
      if (row.token_ciphertext && row.token_key_id) {
        const sealed = { keyId: row.token_key_id, ciphertext: row.token_ciphertext };
        return box.open(sealed, contextOf(merchantId, engine, paymentMethodId));
      }
      // Stored in clear before encryption and not yet sealed (another instance is starting, say).
      return row.token;
    },
  };
}

export type CardTokenRepository = ReturnType<typeof createCardTokenRepository>;

/**
 * Encrypts the tokens an earlier version stored in clear; run at start-up, because only the running
 * process has the key. Each row is updated only if still in clear, so instances starting together
 * seal it once. Returns how many rows it sealed.
 */
export async function sealClearCardTokens(db: Kysely<Database>, box: SecretBox): Promise<number> {
  const clear = await db
    .selectFrom(T)
    .select(['merchant_id', 'engine', 'payment_method_id', 'token'])
    .where('token', 'is not', null)
    .execute();
  let sealed = 0;
  for (const row of clear) {
    if (row.token === null) continue;
    const secret = box.seal(row.token, contextOf(row.merchant_id, row.engine, row.payment_method_id));
    const result = await db
      .updateTable(T)
      .set({ token: null, token_ciphertext: secret.ciphertext, token_key_id: secret.keyId })
      .where('merchant_id', '=', row.merchant_id)
      .where('engine', '=', row.engine)
      .where('payment_method_id', '=', row.payment_method_id)
      .where('token', '=', row.token)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  return sealed;
}
