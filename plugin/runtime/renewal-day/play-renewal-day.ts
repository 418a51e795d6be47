import { DAY_MS, type ManualClock } from '../../core/clock.js';
import { createLocalDriver } from '../local-driver.js';
import { DEFAULT_MERCHANT_ID, type RunningPlugin } from '../start-plugin.js';
import { type DemoMerchant, dressDemoMerchant } from './demo-merchant.js';
import { drawPopulation } from './population.js';
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

/**
 * The renewal day, on a plugin started with the local Stripe emulator and FlexCharge sandbox, its
 * worker driven here (startWorker false) on `clock`: the demo merchant's customers subscribe a month
 * before, their renewals succeed or decline hour by hour through the day, and the declines are
 * followed for three weeks while FlexCharge works them and a few customers pay themselves. The day
 * is placed so that the three weeks end about now. The summary is read from the rescues table.
 */
export async function playRenewalDay(
  plugin: RunningPlugin,
  clock: ManualClock,
  options: RenewalDayOptions,
): Promise<RenewalDayResult> {
  const started = Date.now();
  const { progress } = options;
  const { settle } = createLocalDriver(plugin, clock);
  const db = plugin.database.db;
  const renewalDay = renewalDayEndingAbout(clock.now());
  const signUpDay = oneMonthBefore(renewalDay);
  const population = drawPopulation(options.subscriptions, options.seed);

  clock.set(signUpDay);
  const merchant = await dressDemoMerchant(db, plugin.secrets, DEFAULT_MERCHANT_ID, clock.now());
  const prices = await createPlanPrices(plugin.stripe.stripe);

  // A month before: customers sign up through the day, hour by hour, as their renewals will come.
  // The merchant installs the plugin after that: Stripe's webhooks reach it from the renewal day on
  // (which also spares a large demo thousands of first-payment events that change nothing).
  const subscribed: SubscribedCustomer[] = [];
  let signedUp = 0;
  await pluginWebhooks(plugin, 'off');
  for (let hour = 0; hour < 24; hour++) {
    const ofHour = population.filter((c) => c.hour === hour);
    if (!ofHour.length) continue;
    clock.set(signUpDay.getTime() + hour * HOUR_MS);
    subscribed.push(
      ...(await inPool(ofHour, SUBSCRIBE_CONCURRENCY, async (customer) => {
        const done = await subscribeDemoCustomer(plugin, merchant, prices, customer);
        progress.live(`Signing up customers  ${++signedUp}/${population.length}`);
        return done;
      })),
    );
  }
  await pluginWebhooks(plugin, 'on');
  progress.line(
    `Signed up ${subscribed.length} customers of ${merchant.siteMetadata.join(' and ')}, a month before the renewal day (${day(signUpDay)}).`,
  );

  // The renewal day: Stripe renews each subscription at its hour; the declines reach the plugin.
  for (let hour = 0; hour < 24; hour++) {
    if (!population.some((c) => c.hour === hour)) continue;
    clock.set(renewalDay.getTime() + hour * HOUR_MS + 60_000);
    await settle();
    const counts = await counters(plugin, renewalDay);
    const renewed = population.filter((c) => c.hour <= hour).length;
    progress.live(
      `Renewal day ${day(renewalDay)} ${String(hour).padStart(2, '0')}:00 UTC  renewed ${renewed}/${population.length}  declined ${counts.declined}  handed over ${counts.handedOver}  ineligible ${counts.ineligible}`,
    );
  }
  const afterDay = await counters(plugin, renewalDay);
  progress.line(
    `Renewal day ${day(renewalDay)}: ${population.length} renewals, ${afterDay.declined} declined, ${afterDay.handedOver} handed over to FlexCharge, ${afterDay.ineligible} not eligible.`,
  );

  // Three weeks of holds: FlexCharge works the declines; some customers pay themselves meanwhile.
  let paidThemselves = 0;
  for (let d = 1; d <= FOLLOWED_DAYS; d++) {
    const paying = subscribed.filter(
      (s) => s.customer.fate.kind === 'declined' && s.customer.fate.paysOnDay === d,
    );
    for (const s of paying) if (await payRenewalThemselves(plugin, s)) paidThemselves++;
    // A day at a time: every side does what fell due in it in time order (the emulator replays
    // Stripe's retries at their own times, the sandbox its decisions and expiries).
    clock.set(renewalDay.getTime() + d * DAY_MS + HOUR_MS);
    await settle();
    const c = await counters(plugin, renewalDay);
    const text = `Day ${String(d).padStart(2)}/${FOLLOWED_DAYS}  held ${c.held}  recovered ${c.recovered}  expired ${c.expired}  paid by the customer ${c.paidByCustomer}`;
    progress.live(text);
    if (d % 7 === 0) progress.line(text);
  }
  const summary = await summarizeRenewalDay(db, merchant.id, renewalDay);
  progress.line(`Followed the declines for ${FOLLOWED_DAYS} days; done in ${seconds(Date.now() - started)}.`);
  return { merchant, renewalDay, subscribed, paidThemselves, summary, elapsedMs: Date.now() - started };
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
