import type Stripe from 'stripe';
import type { EmulatorContext } from './emulator-store.js';
import { AUTOMATIC } from './emulator-types.js';
import { collectInvoice } from './invoice-collection.js';
import {
  expireIncompleteSubscription,
  INCOMPLETE_EXPIRY_SECONDS,
  renewSubscription,
} from './subscription-lifecycle.js';

type DueAction =
  | { kind: 'renew'; at: number; subscription: Stripe.Subscription }
  | { kind: 'retry'; at: number; invoice: Stripe.Invoice }
  | { kind: 'expire'; at: number; subscription: Stripe.Subscription };

/** A generous bound: a year of daily renewals for a few subscriptions. Stops a runaway loop. */
const MAX_ACTIONS_PER_RUN = 10_000;

/**
 * Does all billing work due by `now`, earliest first, each action at its own due time (like a Stripe
 * test clock advancing): a renewal happens at the period end, its retries at their scheduled times,
 * so a clock moved forward by weeks replays them in order. Running it again does nothing new.
 */
export function runDueBilling(ctx: EmulatorContext, now: number): number {
  let done = 0;
  for (let next = nextDueAction(ctx, now); next; next = nextDueAction(ctx, now)) {
    if (++done > MAX_ACTIONS_PER_RUN) {
      ctx.settings.log(`stripe-emulator: stopped after ${MAX_ACTIONS_PER_RUN} billing actions in one run`);
      break;
    }
    perform(ctx, next);
  }
  return done;
}

function perform(ctx: EmulatorContext, action: DueAction): void {
  switch (action.kind) {
    case 'renew':
      renewSubscription(ctx, action.subscription, action.at);
      return;
    case 'expire':
      expireIncompleteSubscription(ctx, action.subscription, action.at);
      return;
    case 'retry':
      collectInvoice(ctx, action.invoice, {
        kind: 'automatic',
        offSession: true,
        at: action.at,
        origin: AUTOMATIC,
      });
      return;
  }
}

function nextDueAction(ctx: EmulatorContext, now: number): DueAction | null {
  let best: DueAction | null = null;
  const consider = (candidate: DueAction) => {
    if (candidate.at <= now && (!best || candidate.at < best.at)) best = candidate;
  };
  for (const subscription of ctx.store.subscriptions.values()) {
    const { status } = subscription;
    if (status === 'active' || status === 'trialing' || status === 'past_due' || status === 'unpaid') {
      const ends = subscription.items.data.map((item) => item.current_period_end);
      if (ends.length > 0) consider({ kind: 'renew', at: Math.min(...ends), subscription });
    } else if (status === 'incomplete') {
      consider({ kind: 'expire', at: subscription.created + INCOMPLETE_EXPIRY_SECONDS, subscription });
    }
  }
  for (const invoice of ctx.store.invoices.values()) {
    const at = invoice.next_payment_attempt;
    if (invoice.status === 'open' && invoice.auto_advance && at !== null)
      consider({ kind: 'retry', at, invoice });
  }
  return best;
}
