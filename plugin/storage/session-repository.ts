import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../core/principal.js';
import { S } from './merchant-rows.js';
import type { Database } from './schema.js';

/** Who a session speaks for, the key's prefix included. */
export type SessionPrincipal = Principal;

export interface Session {
  readonly principal: SessionPrincipal;
  /** What every form of this session must carry back (`csrf`). */
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
// last_seen_at (and with it expires_at) is written at most this often: a page load is not a write.
const TOUCH_RESOLUTION_MS = 60_000;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Sessions of the onboarding pages: opened at login, found by the cookie's token, ended at logout or
 * after `SESSION_IDLE_MS` idle. The token itself is never stored, only its SHA-256.
 */
export function createSessionRepository(db: Kysely<Database>) {
  return {
    /** A new session; `token` goes into the cookie and nowhere else. Expired sessions are swept. */
    async open(principal: SessionPrincipal, now: Date): Promise<Session & { readonly token: string }> {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
      await db.deleteFrom(`${S}.admin_sessions`).where('expires_at', '<=', now).execute();
      await db
        .insertInto(`${S}.admin_sessions`)
        .values({
          id: hashOf(token),
          principal: principal.kind,
          merchant_id: principal.kind === 'merchant' ? principal.merchantId : null,
          api_key_id: principal.kind === 'merchant' ? principal.keyId : null,
          csrf_token: csrfToken,
          created_at: now,
          last_seen_at: now,
          expires_at: expiresAt,
        })
        .execute();
      return { token, principal, csrfToken, expiresAt };
    },

    /**
     * The live session of this token, its idle expiry moved on; null when unknown, expired, or opened
     * with an API key that has since been revoked.
     */
    async find(token: string, now: Date): Promise<Session | null> {
      if (token.length === 0 || token.length > 100) return null;
      const id = hashOf(token);
      const row = await db
        .selectFrom(`${S}.admin_sessions as s`)
        .leftJoin(`${S}.merchant_api_keys as k`, 'k.id', 's.api_key_id')
        .select([
          's.principal',
          's.merchant_id',
          's.api_key_id',
          's.csrf_token',
          's.last_seen_at',
          's.expires_at',
          'k.prefix',
          'k.revoked_at',
        ])
        .where('s.id', '=', id)
        .where('s.expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return null;
      let principal: SessionPrincipal = { kind: 'partner' };
      if (row.principal === 'merchant') {
        if (!row.merchant_id || !row.api_key_id || !row.prefix || row.revoked_at !== null) return null;
        principal = {
          kind: 'merchant',
          merchantId: row.merchant_id,
          keyId: row.api_key_id,
          prefix: row.prefix,
        };
      }
      let expiresAt = row.expires_at;
      if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_RESOLUTION_MS) {
        expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
        await db
          .updateTable(`${S}.admin_sessions`)
          .set({ last_seen_at: now, expires_at: expiresAt })
          .where('id', '=', id)
          .execute();
      }
      return { principal, csrfToken: row.csrf_token, expiresAt };
    },

    /** Ends the session of this token, if there is one. */
    async close(token: string): Promise<void> {
      await db.deleteFrom(`${S}.admin_sessions`).where('id', '=', hashOf(token)).execute();
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
