import type { Kysely } from 'kysely';
import { toMajorUnits } from '../../core/currency-units.js';
import { money } from '../../core/money.js';
import { FINAL_STATES } from '../../core/rescue-states.js';
import type { Database } from '../../storage/schema.js';

export interface CurrencyTotal {
  readonly currency: string;
  readonly amount: number;
}

/** What became of the renewal day's declines, read from the rescues table. */
export interface RenewalDaySummary {
  /** Every declined renewal the plugin received (one rescue each). */
  readonly declined: number;
  readonly handedOver: number;
  readonly recovered: number;
  /** What FlexCharge collected on the recovered ones, per currency, in minor units. */
  readonly recoveredAmounts: readonly CurrencyTotal[];
  /** Worked three weeks without success: released back to Stripe's dunning. */
  readonly expired: number;
  /** The customer paid the invoice during the hold; FlexCharge's order was cancelled. */
  readonly paidByCustomer: number;
  /** FlexCharge refused at once. */
  readonly refused: number;
  /** Final in another way (a conflict), or not final yet (should be none after three weeks). */
  readonly conflicts: number;
  readonly open: number;
  readonly ineligible: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
}

/** The merchant's rescues of renewals that failed from `since` on (the renewal day's start). */
export async function summarizeRenewalDay(
  db: Kysely<Database>,
  merchantId: string,
  since: Date,
): Promise<RenewalDaySummary> {
  const scope = db
    .selectFrom('flexcharge_mit.rescues')
    .where('merchant_id', '=', merchantId)
    .where('failed_at', '>=', since);
  const states = await scope
    .select(['state', 'ineligible_reason'])
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.count<string>('handed_off_at').as('handed')])
    .groupBy(['state', 'ineligible_reason'])
    .execute();
  const amounts = await scope
    .where('state', '=', 'recovered')
    .select('currency')
    .select((eb) => eb.fn.sum<string>(eb.fn.coalesce('collected_amount', 'amount')).as('total'))
    .groupBy('currency')
    .orderBy('currency')
    .execute();

  const count = (state: string) =>
    states.filter((s) => s.state === state).reduce((sum, s) => sum + Number(s.n), 0);
  const ineligible = states
    .filter((s) => s.state === 'ineligible')
    .map((s) => ({ reason: s.ineligible_reason ?? 'unknown', count: Number(s.n) }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return {
    declined: states.reduce((sum, s) => sum + Number(s.n), 0),
    handedOver: states.reduce((sum, s) => sum + Number(s.handed), 0),
    recovered: count('recovered'),
    recoveredAmounts: amounts.map((a) => ({ currency: a.currency ?? '???', amount: Number(a.total) })),
    expired: count('released'),
    paidByCustomer: count('cancelled'),
    refused: count('declined'),
    conflicts: count('conflict'),
    open: states.filter((s) => !FINAL_STATES.has(s.state)).reduce((sum, s) => sum + Number(s.n), 0),
    ineligible,
  };
}

export function formatAmounts(totals: readonly CurrencyTotal[]): string {
  if (!totals.length) return '–';
  return totals
    .map(({ currency, amount }) => {
      const major = toMajorUnits(money(amount, currency));
      const text = major.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 3 });
      return `${currency.toUpperCase()} ${text}`;
    })
    .join(' + ');
}

/** The summary as the terminal shows it: one figure per line, labels left, counts right-aligned. */
export function formatSummary(summary: RenewalDaySummary, subscriptions: number): string[] {
  const ineligibleTotal = summary.ineligible.reduce((sum, i) => sum + i.count, 0);
  const row = (label: string, value: number, extra = '') =>
    `  ${label.padEnd(38)}${String(value).padStart(6)}${extra ? `   ${extra}` : ''}`;
  const lines = [
    row('renewals', subscriptions),
    row('  paid at once', subscriptions - summary.declined),
    row('  declined', summary.declined),
    row('    handed over to FlexCharge', summary.handedOver),
    row('      recovered', summary.recovered, formatAmounts(summary.recoveredAmounts)),
    row('      expired after three weeks', summary.expired),
    row('      paid by the customer meanwhile', summary.paidByCustomer),
  ];
  if (summary.refused) lines.push(row('      refused by FlexCharge', summary.refused));
  if (summary.conflicts) lines.push(row('      conflict (refunded)', summary.conflicts));
  if (summary.open) lines.push(row('      still open', summary.open));
  lines.push(row('    not handed over (ineligible)', ineligibleTotal));
  for (const { reason, count } of summary.ineligible) lines.push(row(`      ${reason}`, count));
  return lines;
}
