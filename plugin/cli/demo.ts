import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/load-config.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { createLocalDriver } from '../runtime/local-driver.js';
import { subscribeLocalCustomer } from '../runtime/local-subscriber.js';
import { DEFAULT_MERCHANT_ID, startPlugin } from '../runtime/start-plugin.js';
import { openDatabase } from '../storage/database.js';
import { createRescueRepository } from '../storage/rescue-repository.js';

const DAY_MS = 86_400_000;

/**
 * `flexcharge-mit demo`: the whole rescue, start to finish, in a few seconds. Everything is local and
 * real (the plugin, the Stripe emulator through the real SDK, the FlexCharge sandbox over HTTP, an
 * in-memory database) on a clock the demo moves forward.
 */
export async function runDemo(print: (line: string) => void): Promise<void> {
  const clock = new ManualClock();
  const adminToken = randomBytes(24).toString('hex');
  const config = loadConfig({
    PORT: '0',
    FLEXCHARGE_ENV: 'local',
    ADMIN_TOKEN: adminToken,
    SANDBOX_DECISION_DELAY_SECONDS: String(2 * 24 * 3600),
  });
  const database = await openDatabase({ kind: 'pglite' });
  const plugin = await startPlugin(config, { logger: silentLogger, clock, database, startWorker: false });
  const { settle, advance } = createLocalDriver(plugin, clock);
  const stripe = plugin.stripe.stripe;
  const rescues = createRescueRepository(database.db);
  try {
    print(
      `Plugin at ${plugin.url}; Stripe emulator at ${plugin.stripe.emulator?.url}; FlexCharge sandbox at ${plugin.flexcharge.sandbox?.baseUrl}\n`,
    );

    const { subscription, paymentMethod } = await subscribeLocalCustomer(plugin, { adminToken });
    await settle();
    const first = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0];
    print(
      `1. Jenny subscribes to the Pro plan (EUR 29.00 a month); her first payment passes 3-D Secure: ${first?.id} ${first?.status}.`,
    );
    print(`2. Her card is tokenized with FlexCharge and the token registered for ${paymentMethod.id}.`);

    await fetch(`${plugin.stripe.emulator?.url}/_emulator/payment_methods/${paymentMethod.id}/behavior`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decline_code: 'insufficient_funds' }),
    });
    const sub = await stripe.subscriptions.retrieve(subscription.id);
    clock.set((sub.items.data[0]?.current_period_end ?? 0) * 1000 + 60_000);
    await settle();
    const renewal = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    print(
      `3. A month later Stripe charges the renewal off-session and the bank declines it (insufficient_funds): ${renewal.id} ${renewal.status}, attempt ${renewal.attempt_count}.`,
    );

    const held = await rescues.findByInvoice(DEFAULT_MERCHANT_ID, 'stripe', renewal.id);
    const heldInvoice = await stripe.invoices.retrieve(renewal.id);
    print(
      `4. First the plugin holds Stripe's own retries for this invoice (the step that can be undone): auto_advance=${heldInvoice.auto_advance}.`,
    );
    print(
      `5. Then it hands the renewal to FlexCharge (/evaluate, managed MIT with the first payment's 3DS): ${held?.flexcharge_status}, order ${held?.flexcharge_order_id}, to be worked until ${held?.expires_at?.toISOString()}.`,
    );

    await advance(2 * DAY_MS + 3_600_000);
    const done = await rescues.findByInvoice(DEFAULT_MERCHANT_ID, 'stripe', renewal.id);
    const paid = await stripe.invoices.retrieve(renewal.id);
    const after = await stripe.subscriptions.retrieve(subscription.id);
    print(
      `6. Two days later FlexCharge rescues the payment (order.completed, confirmation ${done?.confirmation_id}).`,
    );
    print(
      `7. The invoice is marked paid out of band: ${paid.id} ${paid.status}, subscription ${after.status}, metadata ${JSON.stringify(paid.metadata)}.`,
    );

    const history = done ? await rescues.history(done.id) : [];
    print(`\nRescue ${done?.id}: ${history.map((h) => h.to_state).join(' → ')}`);
    for (const h of history) print(`  ${h.at.toISOString()}  ${h.to_state.padEnd(10)} ${h.note}`);
  } finally {
    await plugin.stop();
    await database.close();
  }
}
