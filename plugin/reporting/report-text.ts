import { minorUnitDigits, toMajorUnits } from '../core/currency-units.js';
import type { Amounts, BreakdownName, Figures } from './report.js';

/** `1,234.56 USD`: minor units written in the currency's own digits. */
export function formatMoney(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const major = toMajorUnits({ amount, currency });
  const text = new Intl.NumberFormat('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(major);
  return `${text} ${currency.toUpperCase()}`;
}

/** Each currency apart, never added together: `1,234.56 USD · 99.00 EUR`; `–` when none. */
export function formatAmounts(amounts: Amounts): string {
  const parts = Object.keys(amounts)
    .sort()
    .map((c) => formatMoney(amounts[c] ?? 0, c));
  return parts.length ? parts.join(' · ') : '–';
}

export function formatRate(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)} %`;
}

/** The report's totals as a person reads them, in the order the page and the CLI show them. */
export const FIGURE_LINES: readonly (readonly [string, (f: Figures) => string])[] = [
  ['Failures seen', (f) => String(f.failures)],
  ['Handed over', (f) => `${f.handedOver} (${formatAmounts(f.handedOverAmount)})`],
  [
    'Ineligible',
    (f) => {
      const reasons = Object.entries(f.ineligibleByReason)
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => `${r} ${n}`)
        .join(', ');
      return reasons ? `${f.ineligible} (${reasons})` : String(f.ineligible);
    },
  ],
  ['Pending', (f) => String(f.pending)],
  ['Recovered', (f) => `${f.recovered} (${formatAmounts(f.recoveredAmount)})`],
  ['Expired (released)', (f) => String(f.expired)],
  ['Declined by FlexCharge', (f) => String(f.declined)],
  ['Cancelled', (f) => String(f.cancelled)],
  ['Conflicts', (f) => `${f.conflicts} (${formatAmounts(f.conflictAmount)})`],
  ['Refunds', (f) => `${f.refunds} (${formatAmounts(f.refundedAmount)})`],
  ['Rescue rate', (f) => formatRate(f.rescueRate)],
  [
    'Shadow: would have been handed over',
    (f) => `${f.shadow.wouldHaveBeenHandedOver} (${formatAmounts(f.shadow.amount)})`,
  ],
];

export const BREAKDOWN_TITLES: Record<BreakdownName, string> = {
  site: 'By site',
  descriptor: 'By descriptor',
  declineCode: 'By decline code',
  flow: 'By flow',
  channel: 'By channel',
  day: 'Per day (failure date, UTC)',
};

/** The columns of a breakdown's table: what it is, then the main figures. */
export const BREAKDOWN_COLUMNS: readonly (readonly [string, (f: Figures) => string])[] = [
  ['Failures', (f) => String(f.failures)],
  ['Handed over', (f) => String(f.handedOver)],
  ['Ineligible', (f) => String(f.ineligible)],
  ['Pending', (f) => String(f.pending)],
  ['Recovered', (f) => String(f.recovered)],
  ['Recovered amount', (f) => formatAmounts(f.recoveredAmount)],
  ['Expired', (f) => String(f.expired)],
  ['Cancelled', (f) => String(f.cancelled)],
  ['Conflicts', (f) => String(f.conflicts)],
  ['Rescue rate', (f) => formatRate(f.rescueRate)],
  ['Shadow', (f) => String(f.shadow.wouldHaveBeenHandedOver)],
];
