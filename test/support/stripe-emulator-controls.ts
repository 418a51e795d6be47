import type Stripe from 'stripe';

/** From now on, charges of this card decline with `declineCode` (or succeed when null): the emulator's control route. */
export async function setCardBehavior(
  emulatorUrl: string,
  paymentMethod: string,
  declineCode: string | null,
): Promise<void> {
  const response = await fetch(`${emulatorUrl}/_emulator/payment_methods/${paymentMethod}/behavior`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ decline_code: declineCode }),
  });
  if (!response.ok) throw new Error(`behavior override failed: ${response.status} ${await response.text()}`);
}

/** A minute past the subscription's current period end, in epoch ms: when Stripe renews it. */
export async function justAfterPeriodEnd(stripe: Stripe, subscriptionId: string): Promise<number> {
  const sub = await stripe.subscriptions.retrieve(subscriptionId);
  return (sub.items.data[0]?.current_period_end ?? 0) * 1000 + 60_000;
}
