import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import type { ReadinessFacts } from '../core/merchant-readiness.js';
import type { FlexChargeEnvironment, MerchantFlow } from '../core/merchant-settings.js';
import type { MerchantRepository } from './merchant-repository.js';
import type { Database } from './schema.js';

const S = 'flexcharge_mit' as const;

/**
 * What the readiness checklist needs of one merchant: its settings (redacted), the last test of each
 * environment's credentials, and the last webhook seen from each side. `environmentMerchantId` is
 * the merchant that uses the process's own Stripe when it stores no connection.
 */
export async function readinessFacts(
  db: Kysely<Database>,
  merchants: Pick<MerchantRepository, 'getMerchant'>,
  merchantId: string,
  environmentMerchantId: string,
): Promise<ReadinessFacts> {
  const details = await merchants.getMerchant(merchantId);
  if (!details) throw new NotFoundError(`unknown merchant ${merchantId}`);
  const [checks, lastEvents] = await Promise.all([
    db.selectFrom(`${S}.credential_checks`).selectAll().where('merchant_id', '=', merchantId).execute(),
    db
      .selectFrom(`${S}.inbox_events`)
      .select(['source', (eb) => eb.fn.max('received_at').as('last')])
      .where('merchant_id', '=', merchantId)
      .groupBy('source')
      .execute(),
  ]);
  const flow = (name: MerchantFlow) => {
    const stored = details.flows.find((f) => f.flow === name);
    return stored
      ? { mode: stored.mode, environment: stored.environment }
      : { mode: 'off', environment: 'sandbox' as const };
  };
  const credentials: Partial<
    Record<FlexChargeEnvironment, NonNullable<ReadinessFacts['credentials']['sandbox']>>
  > = {};
  for (const c of details.credentials) {
    const check = checks.find((k) => k.environment === c.environment);
    credentials[c.environment] = {
      updatedAt: c.updatedAt,
      hasWebhookKey: c.webhookKey !== null,
      hasDefaultSite: Boolean(c.defaultSiteId ?? c.defaultSiteUrl),
      lastCheck: check ? { at: new Date(check.checked_at), ok: check.ok, message: check.message } : null,
    };
  }
  const stripe = details.engines.find((e) => e.engine === 'stripe');
  const last = (source: string) => {
    const row = lastEvents.find((e) => e.source === source);
    return row?.last ? new Date(row.last as Date | string) : null;
  };
  return {
    flows: { mit: flow('mit'), cit_website: flow('cit_website'), cit_call_center: flow('cit_call_center') },
    credentials,
    stripeConnected: stripe
      ? Boolean(stripe.apiKey ?? stripe.stripeAccountId)
      : merchantId === environmentMerchantId,
    siteCount: details.sites.length,
    lastStripeEventAt: last('stripe'),
    lastFlexChargeEventAt: last('flexcharge'),
  };
}

/** Records the outcome of a "test connection" of one environment's credentials. */
export async function recordCredentialCheck(
  db: Kysely<Database>,
  check: { merchantId: string; environment: FlexChargeEnvironment; at: Date; ok: boolean; message: string },
): Promise<void> {
  const values = { checked_at: check.at, ok: check.ok, message: check.message.slice(0, 500) };
  await db
    .insertInto(`${S}.credential_checks`)
    .values({ merchant_id: check.merchantId, environment: check.environment, ...values })
    .onConflict((oc) => oc.columns(['merchant_id', 'environment']).doUpdateSet(values))
    .execute();
}
