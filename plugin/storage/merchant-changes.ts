import type { Kysely } from 'kysely';
import type { FlexChargeEnvironment, MerchantEngine, MerchantFlow } from '../core/merchant-settings.js';
import type { SecretBox } from '../security/secret-box.js';
import { type AuditAction, createAuditLog } from './audit-log.js';
import { merchantIdSchema } from './merchant-input.js';
import {
  createMerchantRepository,
  type MerchantDetails,
  type MerchantRepository,
} from './merchant-repository.js';
import { inTransaction, S } from './merchant-rows.js';
import type { Database } from './schema.js';

/** One change to a merchant, as its audit entry will tell it. */
export interface MerchantChange<T> {
  readonly merchantId: string;
  /** `partner`, or `key:<prefix>`. */
  readonly actor: string;
  readonly at: Date;
  readonly action: AuditAction | ((result: T) => AuditAction);
  /** Picks, from the merchant's redacted details, what the change is about (null: not there). */
  readonly part: MerchantPart<T>;
}

export interface MerchantPart<T = unknown> {
  readonly target: (result: T | undefined) => string | null;
  readonly pick: (details: MerchantDetails | null, result: T | undefined) => unknown;
}

/**
 * The parts of a merchant a change can be about, each read from the redacted details the repository
 * returns (secrets as last four characters and key id), so an audit entry never holds a secret.
 */
export const merchantParts = {
  merchant: (id: string): MerchantPart => ({
    target: () => id,
    pick: (d) => {
      if (!d) return null;
      const { credentials: _c, flows: _f, sites: _s, engines: _e, ...merchant } = d;
      return merchant;
    },
  }),
  credentials: (environment: FlexChargeEnvironment | string): MerchantPart => ({
    target: () => environment,
    pick: (d) => d?.credentials.find((c) => c.environment === environment) ?? null,
  }),
  flow: (flow: MerchantFlow | string): MerchantPart => ({
    target: () => flow,
    pick: (d) => d?.flows.find((f) => f.flow === flow) ?? null,
  }),
  /** The site the path names, or, for a new one, the site the change returned. */
  site: (siteId?: string): MerchantPart => {
    const idOf = (result: unknown) => siteId ?? (result as { id?: string } | undefined)?.id ?? null;
    return {
      target: idOf,
      pick: (d, result) => d?.sites.find((s) => s.id === idOf(result)) ?? null,
    };
  },
  engine: (engine: MerchantEngine | string): MerchantPart => ({
    target: () => engine,
    pick: (d) => d?.engines.find((e) => e.engine === engine) ?? null,
  }),
};

/**
 * Merchant changes that leave an audit entry: the merchant's row is locked, the part read before,
 * the change made, the part read again and the entry appended, all in one transaction, so the entry
 * exists exactly when the change does and two changes are recorded in the order they happened.
 */
export function createMerchantChanges(db: Kysely<Database>, box: SecretBox) {
  return {
    async apply<T>(
      change: MerchantChange<T>,
      make: (merchants: MerchantRepository) => Promise<T>,
    ): Promise<T> {
      // An id that is no id is refused by the change itself, with the field it names.
      if (!merchantIdSchema.safeParse(change.merchantId).success)
        return make(createMerchantRepository(db, box));
      return inTransaction(db, async (trx) => {
        const merchants = createMerchantRepository(trx, box);
        await trx
          .selectFrom(`${S}.merchants`)
          .select('id')
          .where('id', '=', change.merchantId)
          .forUpdate()
          .execute();
        const before = await merchants.getMerchant(change.merchantId);
        const result = await make(merchants);
        const after = await merchants.getMerchant(change.merchantId);
        const part = change.part as MerchantPart<T>;
        await createAuditLog(trx).append({
          at: change.at,
          merchantId: change.merchantId,
          actor: change.actor,
          action: typeof change.action === 'function' ? change.action(result) : change.action,
          target: part.target(result),
          before: part.pick(before, result),
          after: part.pick(after, result),
        });
        return result;
      });
    },
  };
}

export type MerchantChanges = ReturnType<typeof createMerchantChanges>;
