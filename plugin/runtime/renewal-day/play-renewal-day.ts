import { DAY_MS, type ManualClock } from '../../core/clock.js';
import { createLocalDriver } from '../local-driver.js';
import { DEFAULT_MERCHANT_ID, type RunningPlugin } from '../start-plugin.js';
import type { DayProgress } from './day-progress.js';
import { type DemoMerchant, dressDemoMerchant } from './demo-merchant.js';
import { DEFAULT_POPULATION_SEED, type DemoCustomer, drawPopulation } from './population.js';
import type { ProgressDisplay } from './progress-display.js';
import { type RenewalDaySummary, summarizeRenewalDay } from './renewal-day-summary.js';
import {
  createPlanPrices,
  inPool,
  payRenewalThemselves,
  SUBSCRIBE_CONCURRENCY,
  type SubscribedCustomer,
  subscribeDemoCustomer,
} from './subscribe-population.js';

const HOUR_MS = 3_600_000;
/** The days followed after the renewal day: FlexCharge's 21-day window, and one more for the last expiries. */
export const FOLLOWED_DAYS = 22;

export interface RenewalDayOptions {
  readonly subscriptions: number;
  readonly seed?: number;
  readonly progress: ProgressDisplay;
  /** A day begun before (DATA_DIR/renewal-day/): it goes on after its last finished step. */
  readonly resume?: DayProgress;
  /** Hears where the day stands after each step; the caller keeps it (and the emulators' state). */
  readonly checkpoint?: (progress: DayProgress) => void | Promise<void>;
  /** Once aborted, the day stops after the step under way (a shutdown); it can be resumed. */
  readonly signal?: AbortSignal;
}

export interface RenewalDayResult {
  readonly merchant: DemoMerchant;
  /** Midnight UTC starting the renewal day. */
  readonly renewalDay: Date;
  readonly subscribed: readonly SubscribedCustomer[];
  /** Customers who paid their held invoice themselves. */
  readonly paidThemselves: number;
  readonly summary: RenewalDaySummary;
  readonly elapsedMs: number;
}

/** The day was stopped between two steps (a shutdown); `npm start` goes on from there. */
export class RenewalDayStopped extends Error {
  constructor() {
    super('the renewal day was stopped; the next start goes on with it');
    this.name = 'RenewalDayStopped';
  }
}

/** The story's steps: set-up, 24 hours of sign-ups, webhooks on, 24 renewal hours, the followed days. */
export const STORY_STEPS = 1 + 24 + 1 + 24 + FOLLOWED_DAYS;

/**
 * The renewal day, on a plugin started with the local Stripe emulator and FlexCharge sandbox, its
 * worker driven here (startWorker false) on `clock`: the demo merchant's customers subscribe a month
 * before, their renewals succeed or decline hour by hour through the day, and the declines are
 * followed for three weeks while FlexCharge works them and a few customers pay themselves. The day
 * is placed so that the three weeks end about now. The summary is read from the rescues table.
 *
 * The story is told in steps (an hour, a day); after each, `checkpoint` hears where it stands, and
 * `resume` starts after the last step finished. A step cut short (the process killed) is played
 * again: its Stripe creations carry idempotency keys, and the rest of a step does nothing twice.
 */
export async function playRenewalDay(
  plugin: RunningPlugin,
  clock: ManualClock,
  options: RenewalDayOptions,
): Promise<RenewalDayResult> {
  const started = Date.now();
  const { progress, resume } = options;
  const { settle } = createLocalDriver(plugin, clock);
  const db = plugin.database.db;
  const seed = resume?.seed ?? options.seed ?? DEFAULT_POPULATION_SEED;
  const renewalDay = resume?.renewalDay ?? renewalDayEndingAbout(clock.now());
  const signUpDay = oneMonthBefore(renewalDay);
  const population = drawPopulation(resume?.subscriptions ?? options.subscriptions, seed);
  let merchant = resume?.merchant;
  let prices = new Map(Object.entries(resume?.prices ?? {}));
  const signedUp = [...(resume?.signedUp ?? [])];
  let paidThemselves = resume?.paidThemselves ?? 0;
  const stepsDone = resume?.stepsDone ?? 0;
  const subscribedOf = (): SubscribedCustomer[] =>
    signedUp.map((s) => ({ ...s, customer: population[s.index] as DemoCustomer }));

  // A step played again after a crash does not take the clock back behind where the emulators'
  // state files left it (their clocks caught up with it at start).
  const notBefore = resume ? clock.now().getTime() : Number.NEGATIVE_INFINITY;
  const moveTo = (ms: number) => clock.set(Math.max(ms, notBefore));
  let step = 0;
  /** Runs `work` as the next step unless a resumed day did it already; then tells the checkpoint. */
  const play = async (work: () => Promise<void>) => {
    const index = step++;
    if (index < stepsDone) return;
    if (options.signal?.aborted) throw new RenewalDayStopped();
    await work();
    if (!merchant) throw new Error('the renewal day has no merchant after its first step');
    await options.checkpoint?.({
      subscriptions: population.length,
      seed,
      renewalDay,
      merchant,
      prices: Object.fromEntries(prices),
      signedUp,
      paidThemselves,
      stepsDone: index + 1,
      clockAt: clock.now().getTime(),
    });
  };
  if (resume)
    progress.line(
      `Going on with the renewal day ${day(renewalDay)} (${population.length} subscriptions) from ${stepName(stepsDone)}.`,
    );

  await play(async () => {
    moveTo(signUpDay.getTime());
    merchant = await dressDemoMerchant(db, plugin.secrets, DEFAULT_MERCHANT_ID, clock.now());
    prices = await createPlanPrices(plugin.stripe.stripe);
    // The merchant installs the plugin after the sign-ups: Stripe's webhooks reach it from the
    // renewal day on (which also spares a large demo thousands of first-payment events that change nothing).
    await pluginWebhooks(plugin, 'off');
  });

  // A month before: customers sign up through the day, hour by hour, as their renewals will come.
  let signing = signedUp.length;
  for (let hour = 0; hour < 24; hour++) {
    await play(async () => {
      const ofHour = population.filter((c) => c.hour === hour);
      if (!ofHour.length) return;
      moveTo(signUpDay.getTime() + hour * HOUR_MS);
      const done = await inPool(ofHour, SUBSCRIBE_CONCURRENCY, async (customer) => {
        const subscribed = await subscribeDemoCustomer(
          plugin,
          merchant as DemoMerchant,
          prices,
          customer,
          `renewal-day-${day(renewalDay)}-${seed}-${customer.index}`,
        );
        progress.live(`Signing up customers  ${++signing}/${population.length}`);
        return subscribed;
      });
      for (const { customer, customerId, paymentMethodId, subscriptionId } of done)
        signedUp.push({ index: customer.index, customerId, paymentMethodId, subscriptionId });
    });
  }
  await play(async () => {
    await pluginWebhooks(plugin, 'on');
    progress.line(
      `Signed up ${signedUp.length} customers of ${merchant?.siteMetadata.join(' and ')}, a month before the renewal day (${day(signUpDay)}).`,
    );
  });

  // The renewal day: Stripe renews each subscription at its hour; the declines reach the plugin.
  for (let hour = 0; hour < 24; hour++) {
    await play(async () => {
      if (population.some((c) => c.hour === hour)) {
        moveTo(renewalDay.getTime() + hour * HOUR_MS + 60_000);
        await settle();
        const counts = await counters(plugin, renewalDay);
        const renewed = population.filter((c) => c.hour <= hour).length;
        progress.live(
          `Renewal day ${day(renewalDay)} ${String(hour).padStart(2, '0')}:00 UTC  renewed ${renewed}/${population.length}  declined ${counts.declined}  handed over ${counts.handedOver}  ineligible ${counts.ineligible}`,
        );
      }
      if (hour < 23) return;
      const afterDay = await counters(plugin, renewalDay);
      progress.line(
        `Renewal day ${day(renewalDay)}: ${population.length} renewals, ${afterDay.declined} declined, ${afterDay.handedOver} handed over to FlexCharge, ${afterDay.ineligible} not eligible.`,
      );
    });
  }

  // Three weeks of holds: FlexCharge works the declines; some customers pay themselves meanwhile.
  for (let d = 1; d <= FOLLOWED_DAYS; d++) {
    await play(async () => {
      const paying = subscribedOf().filter(
        (s) => s.customer.fate.kind === 'declined' && s.customer.fate.paysOnDay === d,
      );
      for (const s of paying) if (await payRenewalThemselves(plugin, s)) paidThemselves++;
      // A day at a time: every side does what fell due in it in time order (the emulator replays
      // Stripe's retries at their own times, the sandbox its decisions and expiries).
      moveTo(renewalDay.getTime() + d * DAY_MS + HOUR_MS);
      await settle();
      const c = await counters(plugin, renewalDay);
      const text = `Day ${String(d).padStart(2)}/${FOLLOWED_DAYS}  held ${c.held}  recovered ${c.recovered}  expired ${c.expired}  paid by the customer ${c.paidByCustomer}`;
      progress.live(text);
      if (d % 7 === 0) progress.line(text);
    });
  }
  if (!merchant) throw new Error('the renewal day has no merchant');
  const summary = await summarizeRenewalDay(db, merchant.id, renewalDay);
  progress.line(`Followed the declines for ${FOLLOWED_DAYS} days; done in ${seconds(Date.now() - started)}.`);
  return {
    merchant,
    renewalDay,
    subscribed: subscribedOf(),
    paidThemselves,
    summary,
    elapsedMs: Date.now() - started,
  };
}

/** What the story was about to do after `stepsDone` steps, for the line a resumed day starts with. */
export function stepName(stepsDone: number): string {
  if (stepsDone < 1) return 'the set-up';
  if (stepsDone < 25) return `signing up, hour ${String(stepsDone - 1).padStart(2, '0')}:00`;
  if (stepsDone < 26) return 'the end of the sign-ups';
  if (stepsDone < 50) return `renewal day, hour ${String(stepsDone - 26).padStart(2, '0')}:00`;
  if (stepsDone < STORY_STEPS) return `day ${stepsDone - 49} of ${FOLLOWED_DAYS} of the holds`;
  return 'the end';
}

/** Midnight UTC of the day 23 days ago, so the renewal day and its three weeks end before today. */
export function renewalDayEndingAbout(now: Date): Date {
  const at = new Date(now.getTime() - (FOLLOWED_DAYS + 1) * DAY_MS);
  // Days 29-31 do not exist in every month, and Stripe's month then ends early: stay clear of them.
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), Math.min(at.getUTCDate(), 28)));
}

function oneMonthBefore(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, date.getUTCDate()));
}

/** Switches the emulator's webhook endpoint for this plugin off (undelivered events are dropped) or on. */
async function pluginWebhooks(plugin: RunningPlugin, to: 'on' | 'off'): Promise<void> {
  const stripe = plugin.stripe.stripe;
  for (const endpoint of (await stripe.webhookEndpoints.list()).data) {
    if (endpoint.url.startsWith(plugin.url) || endpoint.url.endsWith('/webhooks/stripe'))
      await stripe.webhookEndpoints.update(endpoint.id, { disabled: to === 'off' });
  }
}

/** Live counters, from the rescues table as the summary is. */
async function counters(plugin: RunningPlugin, since: Date) {
  const s = await summarizeRenewalDay(plugin.database.db, DEFAULT_MERCHANT_ID, since);
  return {
    declined: s.declined,
    handedOver: s.handedOver,
    ineligible: s.ineligible.reduce((sum, i) => sum + i.count, 0),
    held: s.open,
    recovered: s.recovered,
    expired: s.expired,
    paidByCustomer: s.paidByCustomer,
  };
}

const day = (date: Date) => date.toISOString().slice(0, 10);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
