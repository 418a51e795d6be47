import type Stripe from 'stripe';
import type { Money } from '../../plugin/core/money.js';
import { moneyOf } from './stripe-values.js';

export interface SubscriptionTerms {
  readonly interval: string;
  readonly intervalCount: number;
  /** One period of the whole subscription: every recurring item's unit amount times its quantity. */
  readonly price: Money;
}

/**
 * How often a subscription renews and for how much. Stripe keeps one interval per subscription, so
 * the first recurring item's is everyone's. A tiered or metered price has no unit amount; the
 * whole-period price is then not knowable from the subscription, and `amountWithoutUnitPrices` (what
 * the invoice asked before tax and discounts) stands in for it. Null when nothing recurs.
 */
export function subscriptionTermsOf(
  subscription: Stripe.Subscription,
  amountWithoutUnitPrices: number,
): SubscriptionTerms | null {
  const items = subscription.items.data.filter((item) => item.price.recurring);
  const recurring = items[0]?.price.recurring;
  if (!recurring) return null;
  const perPeriod = items.every((item) => item.price.unit_amount !== null)
    ? items.reduce((sum, item) => sum + (item.price.unit_amount ?? 0) * (item.quantity ?? 1), 0)
    : amountWithoutUnitPrices;
  return {
    interval: recurring.interval,
    intervalCount: recurring.interval_count,
    price: moneyOf(perPeriod, subscription.currency),
  };
}
