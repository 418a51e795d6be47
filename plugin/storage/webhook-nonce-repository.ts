import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const T = 'flexcharge_mit.webhook_nonces' as const;

/** Remembers the nonces of accepted signed webhooks, so the same signed request is taken only once. */
export function createWebhookNonceRepository(db: Kysely<Database>) {
  return {
    /** True the first time a nonce is seen; false for a replay. */
    async remember(source: string, nonce: string, seenAt: Date): Promise<boolean> {
      const row = await db
        .insertInto(T)
        .values({ source, nonce, seen_at: seenAt })
        .onConflict((oc) => oc.columns(['source', 'nonce']).doNothing())
        .returning('nonce')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
