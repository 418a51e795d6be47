/**
 * The demo merchant's customers, drawn from a seeded random generator so the same size and seed
 * always tell the same story: who they are, which plan and site they are on, when in the renewal
 * day they renew, and what happens to them (paid at once, declined softly or hard, rescued or not,
 * paying the invoice themselves meanwhile).
 */

export interface Plan {
  readonly key: string;
  readonly name: string;
  readonly currency: 'eur' | 'usd';
  /** Minor units a month. */
  readonly amount: number;
}

/**
 * Plans in two currencies. The Team plan is above what FlexCharge's test environment takes (under
 * 200.00), so its declines are not handed over (amount_out_of_range), as a real sandbox would do.
 */
export const PLANS: readonly Plan[] = [
  { key: 'eur_basic', name: 'Basic (EUR)', currency: 'eur', amount: 990 },
  { key: 'eur_pro', name: 'Pro (EUR)', currency: 'eur', amount: 2900 },
  { key: 'usd_starter', name: 'Starter (USD)', currency: 'usd', amount: 1200 },
  { key: 'usd_pro', name: 'Pro (USD)', currency: 'usd', amount: 3900 },
  { key: 'usd_team', name: 'Team (USD)', currency: 'usd', amount: 24900 },
];

/** Soft declines FlexCharge may retry, weighted roughly as they occur on subscription renewals. */
const SOFT_DECLINES: ReadonlyArray<readonly [string, number]> = [
  ['insufficient_funds', 40],
  ['do_not_honor', 15],
  ['generic_decline', 12],
  ['expired_card', 8],
  ['card_velocity_exceeded', 6],
  ['try_again_later', 5],
  ['issuer_not_available', 4],
];
/** Hard declines (lost, stolen, fraud): never handed over (no_retry_decline). */
const HARD_DECLINES: ReadonlyArray<readonly [string, number]> = [
  ['stolen_card', 4],
  ['lost_card', 3],
  ['pickup_card', 2],
];

export const RENEWAL_FAILURE_RATE = 0.22;
/** Share of customers whose card was never tokenized with FlexCharge (no_card_token). */
const NO_TOKEN_RATE = 0.08;
/** Share of handed-over renewals FlexCharge's sandbox rescues (the rest expire after three weeks). */
const RESCUABLE_RATE = 0.6;
/** Share of customers FlexCharge cannot rescue who update their card and pay during the hold. */
const PAYS_THEMSELVES_RATE = 0.15;

export type RenewalFate =
  | { readonly kind: 'paid' }
  | {
      readonly kind: 'declined';
      readonly declineCode: string;
      /** Whether FlexCharge's sandbox rescues it (its test card) when handed over. */
      readonly rescuable: boolean;
      /** Day of the hold (1..) on which the customer pays the invoice themselves; null: never. */
      readonly paysOnDay: number | null;
    };

export interface DemoCustomer {
  readonly index: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly address: {
    readonly line1: string;
    readonly city: string;
    readonly postal_code: string;
    readonly country: string;
    readonly state?: string;
  };
  readonly plan: Plan;
  /** Which of the merchant's two sites (0 or 1) the subscription belongs to. */
  readonly site: 0 | 1;
  /** Hour of the renewal day (0..23, UTC) the subscription renews at. */
  readonly hour: number;
  readonly tokenized: boolean;
  readonly fate: RenewalFate;
}

const FIRST = [
  'Jenny',
  'Lukas',
  'Amélie',
  'Marco',
  'Sofia',
  'Noah',
  'Emma',
  'Liam',
  'Mia',
  'Hugo',
  'Olivia',
  'Jonas',
];
const LAST = [
  'Rosen',
  'Müller',
  'Dubois',
  'Rossi',
  'García',
  'Jansen',
  'Smith',
  'Brown',
  'Nowak',
  'Martin',
  'Lee',
  'Silva',
];
const EU_ADDRESSES = [
  { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
  { line1: 'Unter den Linden 5', city: 'Berlin', postal_code: '10117', country: 'DE' },
  { line1: 'Damrak 12', city: 'Amsterdam', postal_code: '1012 LG', country: 'NL' },
  { line1: 'Calle Mayor 3', city: 'Madrid', postal_code: '28013', country: 'ES' },
];
const US_ADDRESSES = [
  { line1: '350 5th Ave', city: 'New York', postal_code: '10118', country: 'US', state: 'NY' },
  { line1: '1 Market St', city: 'San Francisco', postal_code: '94105', country: 'US', state: 'CA' },
  { line1: '233 S Wacker Dr', city: 'Chicago', postal_code: '60606', country: 'US', state: 'IL' },
];

/** mulberry32: a small, fast, seeded generator; good enough to draw a demo population. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed a renewal day draws its customers with unless told another: the same day every time. */
export const DEFAULT_POPULATION_SEED = 2026;

export function drawPopulation(size: number, seed = DEFAULT_POPULATION_SEED): DemoCustomer[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const weighted = (list: ReadonlyArray<readonly [string, number]>): string => {
    const total = list.reduce((sum, [, w]) => sum + w, 0);
    let r = random() * total;
    for (const [value, weight] of list) {
      r -= weight;
      if (r < 0) return value;
    }
    return list[list.length - 1]?.[0] as string;
  };
  const hardShare = HARD_DECLINES.reduce((s, [, w]) => s + w, 0);
  const softShare = SOFT_DECLINES.reduce((s, [, w]) => s + w, 0);
  const hourStep = size >= 240 ? 1 : size >= 120 ? 2 : size >= 60 ? 4 : 6;

  return Array.from({ length: size }, (_, index): DemoCustomer => {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const r = random();
    const plan = (
      r < 0.3 ? PLANS[0] : r < 0.55 ? PLANS[1] : r < 0.75 ? PLANS[2] : r < 0.97 ? PLANS[3] : PLANS[4]
    ) as Plan;
    const address = plan.currency === 'eur' ? pick(EU_ADDRESSES) : pick(US_ADDRESSES);
    // Renewals cluster where sign-ups did (European morning, American afternoon); a small shop's few
    // renewals fall at a few times of the day rather than one or two every hour.
    const drawn = Math.min(23, Math.floor(random() * random() * 12 + random() * 12));
    const hour = drawn - (drawn % hourStep);
    const tokenized = random() >= NO_TOKEN_RATE;
    let fate: RenewalFate = { kind: 'paid' };
    if (random() < RENEWAL_FAILURE_RATE) {
      const hard = random() < hardShare / (hardShare + softShare);
      const rescuable = random() < RESCUABLE_RATE;
      const paysThemselves = !rescuable && random() < PAYS_THEMSELVES_RATE;
      fate = {
        kind: 'declined',
        declineCode: weighted(hard ? HARD_DECLINES : SOFT_DECLINES),
        rescuable,
        paysOnDay: paysThemselves ? 1 + Math.floor(random() * 18) : null,
      };
    }
    const slug = `${firstName}.${lastName}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    return {
      index,
      firstName,
      lastName,
      email: `${slug}.${index}@example.com`,
      address,
      plan,
      site: random() < 0.6 ? 0 : 1,
      hour,
      tokenized,
      fate,
    };
  });
}
