import type { Kysely } from 'kysely';
import { S } from './merchant-rows.js';
import type { Database } from './schema.js';

/** What an audit entry can record; `<subject>.<verb>`. */
export const AUDIT_ACTIONS = [
  'merchant.created',
  'merchant.updated',
  'credentials.updated',
  'credentials.removed',
  'flow.updated',
  'site.created',
  'site.updated',
  'site.deleted',
  'engine.updated',
  'api_key.created',
  'api_key.revoked',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface NewAuditEntry {
  readonly at: Date;
  readonly merchantId: string | null;
  /** `partner`, or `key:<prefix>` for a merchant's API key. */
  readonly actor: string;
  readonly action: AuditAction;
  /** What within the merchant changed: an environment, a flow, a site or key id, an engine. */
  readonly target: string | null;
  /** Redacted views (never a secret); null when the thing did not exist before, or no longer does. */
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditEntry extends NewAuditEntry {
  readonly id: number;
}

/**
 * The audit log: appended to, listed, nothing else. There is no update or delete here, and the
 * database refuses both (migration 0010), so an entry once written stays as written.
 */
export function createAuditLog(db: Kysely<Database>) {
  return {
    /** Appends one entry; call it with the transaction of the change it records. */
    async append(entry: NewAuditEntry): Promise<void> {
      await db
        .insertInto(`${S}.audit_entries`)
        .values({
          at: entry.at,
          merchant_id: entry.merchantId,
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          before: asJson(entry.before),
          after: asJson(entry.after),
        })
        .execute();
    },

    /** The merchant's entries, newest first; `before` (an entry id) pages on from an earlier page. */
    async list(merchantId: string, page: { before?: number; limit: number }): Promise<AuditEntry[]> {
      let query = db
        .selectFrom(`${S}.audit_entries`)
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .orderBy('id', 'desc')
        .limit(page.limit);
      if (page.before !== undefined) query = query.where('id', '<', page.before);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        merchantId: r.merchant_id,
        actor: r.actor,
        action: r.action as AuditAction,
        target: r.target,
        before: r.before,
        after: r.after,
      }));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

// Dates become ISO strings and undefined fields vanish, as in the API's own answers.
function asJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
