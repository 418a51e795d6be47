import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import { type SiteInput, siteIdSchema, siteInput, validate } from './merchant-input.js';
import { inTransaction, lockMerchant, requireMerchant, S } from './merchant-rows.js';
import { type Site, siteColumns, siteFromRow } from './merchant-views.js';
import type { Database } from './schema.js';

/** A merchant's sites: added, replaced, deleted; at most one is the default. */
export function createMerchantSites(db: Kysely<Database>) {
  /** Adds (siteId null) or replaces a site; making it the default unsets the previous one. */
  async function writeSite(
    merchantId: string,
    siteId: string | null,
    input: SiteInput,
    now: Date,
  ): Promise<Site> {
    const site = validate(siteInput, input, 'site');
    const targetId = siteId === null ? null : validate(siteIdSchema, siteId, 'site id');
    return inTransaction(db, async (trx) => {
      const id = await lockMerchant(trx, merchantId);
      // Unset before set: the unique index on the default is checked row by row, not at commit.
      if (site.isDefault) {
        let previous = trx
          .updateTable(`${S}.merchant_sites`)
          .set({ is_default: false, updated_at: now })
          .where('merchant_id', '=', id)
          .where('is_default', '=', true);
        if (targetId) previous = previous.where('id', '<>', targetId);
        await previous.execute();
      }
      const values = {
        ...siteColumns(site),
        ...(site.isDefault === undefined ? {} : { is_default: site.isDefault }),
        updated_at: now,
      };
      if (targetId === null) {
        const row = await trx
          .insertInto(`${S}.merchant_sites`)
          .values({ merchant_id: id, ...values, created_at: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        return siteFromRow(row);
      }
      const row = await trx
        .updateTable(`${S}.merchant_sites`)
        .set(values)
        .where('merchant_id', '=', id)
        .where('id', '=', targetId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`merchant ${id} has no site ${targetId}`);
      return siteFromRow(row);
    });
  }

  return {
    /** Adds a site; returns it with its id. With `isDefault`, the previous default is unset. */
    addSite(merchantId: string, input: SiteInput, now: Date): Promise<Site> {
      return writeSite(merchantId, null, input, now);
    },

    /**
     * Replaces a site's fields (`isDefault` left out: unchanged); `NotFoundError` when the merchant
     * has no such site. With `isDefault`, the previous default is unset in the same transaction.
     */
    updateSite(merchantId: string, siteId: string, input: SiteInput, now: Date): Promise<Site> {
      return writeSite(merchantId, siteId, input, now);
    },

    /**
     * Deletes a site; `NotFoundError` when the merchant has no such site. Rescues and transmissions
     * that named it keep their history with the site cleared (`on delete set null`).
     */
    async deleteSite(merchantId: string, siteId: string): Promise<void> {
      const target = validate(siteIdSchema, siteId, 'site id');
      const id = await requireMerchant(db, merchantId);
      const deleted = await db
        .deleteFrom(`${S}.merchant_sites`)
        .where('merchant_id', '=', id)
        .where('id', '=', target)
        .returning('id')
        .executeTakeFirst();
      if (!deleted) throw new NotFoundError(`merchant ${id} has no site ${target}`);
    },
  };
}
