/**
 * `subscription.interval` in FlexCharge's words. The docs show `monthly` only (contract §6.9, §15.10);
 * the rest of this vocabulary follows its pattern. A cadence with no word of its own (every 2 weeks,
 * every 6 months) takes its unit's word and says the count in `intervalCount`, which the mapper
 * sends as an additional field, so no cadence is reported as more frequent than it is without the count.
 */
export type SubscriptionInterval = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

export interface IntervalInWords {
  readonly interval: SubscriptionInterval;
  /** Set when `interval` alone does not say the cadence: how many of its units one period lasts. */
  readonly intervalCount: number | null;
}

const EXACT: Readonly<Record<string, SubscriptionInterval>> = {
  'day:1': 'daily',
  'day:7': 'weekly',
  'week:1': 'weekly',
  'month:1': 'monthly',
  'month:3': 'quarterly',
  'month:12': 'yearly',
  'year:1': 'yearly',
};

const UNIT_WORDS: Readonly<Record<string, SubscriptionInterval>> = {
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  year: 'yearly',
};

/** `unit` is the engine's interval (`day`, `week`, `month`, `year`), `count` how many of them. */
export function intervalInWords(unit: string, count: number): IntervalInWords {
  const exact = EXACT[`${unit}:${count}`];
  if (exact) return { interval: exact, intervalCount: null };
  const word = UNIT_WORDS[unit];
  if (!word) throw new RangeError(`unknown billing interval unit: ${unit}`);
  return { interval: word, intervalCount: count };
}
