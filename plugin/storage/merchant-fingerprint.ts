import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/**
 * TEMPORARY until the repository's own fingerprint lands: changes whenever the merchant or any of its
 * parts changes (a later update, a row added or removed); null for an unknown merchant.
 */
export async function merchantFingerprint(db: Kysely<Database>, merchantId: string): Promise<string | null> {
  const row = await sql<{ fingerprint: string | null }>`
    select (select updated_at::text from flexcharge_mit.merchants where id = ${merchantId}) || '|' ||
      coalesce((select max(updated_at)::text || count(*) from flexcharge_mit.merchant_flexcharge_credentials where merchant_id = ${merchantId}), '') || '|' ||
      coalesce((select max(updated_at)::text || count(*) from flexcharge_mit.merchant_flows where merchant_id = ${merchantId}), '') || '|' ||
      coalesce((select max(updated_at)::text || count(*) from flexcharge_mit.merchant_sites where merchant_id = ${merchantId}), '') || '|' ||
      coalesce((select max(updated_at)::text || count(*) from flexcharge_mit.merchant_engine_connections where merchant_id = ${merchantId}), '')
      as fingerprint
  `.execute(db);
  return row.rows[0]?.fingerprint ?? null;
}
