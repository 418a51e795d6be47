import type { Insertable, Kysely } from 'kysely';
import type {
  FlexChargeEnvironment,
  MerchantFlow,
  OrderSource,
} from '../../plugin/core/merchant-settings.js';
import { INELIGIBLE_REASONS, type RescueState } from '../../plugin/core/rescue-states.js';
import type { Database, RescuesTable } from '../../plugin/storage/schema.js';

/** A small seeded PRNG (mulberry32): the same seed makes the same month, run after run. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  /** One of `weighted`'s keys, each as likely as its weight. */
  const weighted = <K extends string>(weights: Record<K, number>): K => {
    const entries = Object.entries(weights) as [K, number][];
    let r = next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]?.[0] as K;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, pick, weighted, int };
}

export const DECLINES: Record<string, string> = {
  insufficient_funds: 'Your card has insufficient funds.',
  do_not_honor: 'Your card was declined.',
  generic_decline: 'Your card was declined.',
  expired_card: 'Your card has expired.',
  card_velocity_exceeded: 'Your card was declined for making repeated attempts too frequently.',
  try_again_later: 'An error occurred while processing your card. Try again in a little bit.',
};

export interface FixtureSite {
  id: string;
  merchantId: string;
  url: string;
  descriptor: string;
}

export interface LedgerMonth {
  merchants: string[];
  sites: FixtureSite[];
  /** Rows inside the period, and a few just outside it (the day before, the day after). */
  inside: number;
  outside: number;
  from: string;
  to: string;
}

const LIVE_STATES: Record<RescueState, number> = {
  ineligible: 15,
  recovered: 28,
  released: 18,
  declined: 7,
  cancelled: 7,
  conflict: 3,
  received: 1,
  evaluating: 2,
  held: 8,
  challenged: 2,
  approved: 2,
  releasing: 1,
  cancelling: 1,
  refunding: 1,
  needs_attention: 4,
  holding: 0,
  shadowed: 0,
};

/** States FlexCharge reached through a hold (so `handed_off_at` is set). */
const THROUGH_A_HOLD = new Set<RescueState>([
  'held',
  'challenged',
  'released',
  'releasing',
  'cancelling',
  'recovered',
  'approved',
  'refunding',
  'conflict',
]);

/**
 * A month of rescues stored directly in the database, as the workflow leaves them: two merchants,
 * several sites and descriptors, every flow and channel, USD and EUR, sandbox and production, shadow
 * and live rows in every state; timestamps to the microsecond, some rows sharing one (so the cursor
 * must break ties by id).
 */
export async function generateLedgerMonth(
  db: Kysely<Database>,
  options: { seed: number; count: number; merchants?: string[] },
): Promise<LedgerMonth> {
  const rnd = seededRandom(options.seed);
  const merchants = options.merchants ?? ['acme', 'globex'];
  const created = new Date('2026-04-01T00:00:00Z');
  for (const id of merchants)
    await db
      .insertInto('flexcharge_mit.merchants')
      .values({ id, name: id.toUpperCase(), created_at: created, updated_at: created })
      .onConflict((oc) => oc.doNothing())
      .execute();
  const sites: FixtureSite[] = [];
  const siteNames = ['shop', 'club', 'pro'];
  for (const merchantId of merchants)
    for (const name of siteNames.slice(0, merchantId === merchants[0] ? 3 : 2)) {
      const url = `https://${name}.${merchantId}.test`;
      const descriptor = `${merchantId.toUpperCase()}* ${name.toUpperCase()}`;
      const row = await db
        .insertInto('flexcharge_mit.merchant_sites')
        .values({
          merchant_id: merchantId,
          url,
          statement_descriptor: descriptor,
          flexcharge_sandbox_site_id: null,
          flexcharge_production_site_id: null,
          mit_enabled: true,
          cit_website_enabled: true,
          cit_call_center_enabled: true,
          created_at: created,
          updated_at: created,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      sites.push({ id: row.id, merchantId, url, descriptor });
    }

  const monthStart = Date.UTC(2026, 4, 1);
  const monthMs = 31 * 86_400_000;
  const rows: Insertable<RescuesTable>[] = [];
  let previousAt: string | null = null;
  let outside = 0;
  for (let i = 0; i < options.count; i++) {
    const merchantId = rnd.pick(merchants);
    const own = sites.filter((s) => s.merchantId === merchantId);
    const site = rnd.next() < 0.04 ? null : rnd.pick(own);
    const flow = rnd.weighted<MerchantFlow>({ mit: 6, cit_website: 3, cit_call_center: 1 });
    const channel: OrderSource | null =
      flow === 'mit' ? null : flow === 'cit_website' ? 'website' : 'call_center';
    const environment = rnd.weighted<FlexChargeEnvironment>({ production: 4, sandbox: 1 });
    const shadow = rnd.next() < 0.1;
    const state: RescueState = shadow ? 'shadowed' : rnd.weighted(LIVE_STATES);
    const currency = rnd.next() < 0.7 ? 'usd' : 'eur';
    const amount = rnd.int(5, 400) * 100 + rnd.pick([0, 0, 49, 99]);
    const declineCode = rnd.next() < 0.03 ? null : rnd.pick(Object.keys(DECLINES));
    // Microsecond timestamps; one row in twenty shares the previous row's time exactly.
    let failedAt: string;
    const lateOrEarly = i % 400 === 7 ? -1 : i % 400 === 13 ? 1 : 0;
    if (lateOrEarly !== 0) {
      outside++;
      failedAt = new Date(lateOrEarly < 0 ? monthStart - 3_600_000 : monthStart + monthMs + 60_000)
        .toISOString()
        .replace('Z', '123Z');
    } else if (previousAt && rnd.next() < 0.05) failedAt = previousAt;
    else {
      const ms = monthStart + Math.floor(rnd.next() * monthMs);
      failedAt = new Date(ms).toISOString().replace('Z', `${String(rnd.int(0, 999)).padStart(3, '0')}Z`);
      previousAt = failedAt;
    }
    const at = (minutes: number) => new Date(Date.parse(failedAt) + minutes * 60_000);
    // One recovery in ten was approved by FlexCharge at once, without a hold.
    const approvedAtOnce = state === 'recovered' && rnd.next() < 0.1;
    const handedOff = !shadow && THROUGH_A_HOLD.has(state) && !approvedAtOnce;
    const partial = state === 'recovered' && rnd.next() < 0.1;
    // Half the cancellations came after FlexCharge had taken the order.
    const cancelledAfterHold = state === 'cancelled' && rnd.next() < 0.5;
    const final = !['received', 'evaluating', 'held', 'challenged', 'approved', 'releasing'].includes(state);
    const handed = handedOff || cancelledAfterHold;
    rows.push({
      merchant_id: merchantId,
      engine: 'stripe',
      invoice_id: `in_${options.seed}_${String(i).padStart(6, '0')}`,
      subscription_id: flow === 'mit' ? `sub_${rnd.int(1, 900)}` : null,
      customer_id: `cus_${rnd.int(1, 1500)}`,
      state,
      ineligible_reason: state === 'ineligible' ? rnd.pick(INELIGIBLE_REASONS) : null,
      amount,
      currency,
      failed_at: failedAt,
      decline_code: declineCode,
      decline_message: declineCode ? (DECLINES[declineCode] ?? null) : null,
      site: site?.url ?? null,
      site_id: site?.id ?? null,
      flow,
      order_source: channel,
      environment,
      mode: shadow ? 'shadow' : state === 'ineligible' && rnd.next() < 0.5 ? null : 'on',
      flexcharge_order_id: handed || approvedAtOnce ? `ord_${i}` : null,
      confirmation_id: state === 'recovered' || state === 'conflict' ? `conf_${i}` : null,
      handed_off_at: handed ? at(2) : null,
      outcome_at: final && state !== 'ineligible' && state !== 'shadowed' ? at(60 * 24) : null,
      collected_amount:
        state === 'recovered' || state === 'conflict' ? (partial ? amount - 100 : amount) : null,
      write_back_reference: state === 'recovered' ? `inpay_${i}` : null,
      refund_reference: state === 'conflict' ? `rf_${i}` : null,
      refunded_at: state === 'conflict' ? at(60 * 25) : null,
      written_back_at: state === 'recovered' ? at(60 * 24) : null,
      created_at: failedAt,
      updated_at: at(60 * 26),
    });
  }
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('flexcharge_mit.rescues')
      .values(rows.slice(i, i + 500))
      .execute();
  return {
    merchants,
    sites,
    inside: rows.length - outside,
    outside,
    from: '2026-05-01',
    to: '2026-05-31',
  };
}
