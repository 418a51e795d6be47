import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const T = 'flexcharge_mit.card_tokens' as const;

/** FlexCharge tokens the merchant's checkout registered for an engine's payment methods. */
export function createCardTokenRepository(db: Kysely<Database>) {
  return {
    async register(input: {
      merchantId: string;
      engine: string;
      paymentMethodId: string;
      token: string;
      now: Date;
    }): Promise<void> {
      await db
        .insertInto(T)
        .values({
          merchant_id: input.merchantId,
          engine: input.engine,
          payment_method_id: input.paymentMethodId,
          token: input.token,
          created_at: input.now,
        })
        .onConflict((oc) =>
          oc
            .columns(['merchant_id', 'engine', 'payment_method_id'])
            .doUpdateSet({ token: input.token, created_at: input.now }),
        )
        .execute();
    },

    async find(merchantId: string, engine: string, paymentMethodId: string): Promise<string | null> {
      const row = await db
        .selectFrom(T)
        .select('token')
        .where('merchant_id', '=', merchantId)
        .where('engine', '=', engine)
        .where('payment_method_id', '=', paymentMethodId)
        .executeTakeFirst();
      return row?.token ?? null;
    },
  };
}

export type CardTokenRepository = ReturnType<typeof createCardTokenRepository>;
