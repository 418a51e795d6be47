import type Stripe from 'stripe';
import request from 'supertest';
import type { EvaluateRequest } from '../../adapters/flexcharge/wire/requests.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { justAfterPeriodEnd, setCardBehavior } from '../support/stripe-emulator-controls.js';
import { createTestDatabase } from '../support/test-database.js';

export { DAY_MS };
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
export const HOUR_MS = 3_600_000;

/** FlexCharge sandbox test cards: one it rescues, one it never does. */
export const FLEXCHARGE_RESCUED_PAN = '4000002760003184';
export const FLEXCHARGE_NEVER_RESCUED_PAN = '4000300011112220';

/**
 * The whole plugin as a merchant runs it locally: real PostgreSQL (or PGlite), the Stripe emulator
 * through the real SDK, the FlexCharge sandbox over real HTTP, all on one manual clock. The worker
 * is driven by `settle()` so each step is deterministic.
 */
export async function startE2E(env: Record<string, string> = {}) {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const database: DatabaseHandle = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    FLEXCHARGE_ENV: 'local',
    SANDBOX_DECISION_DELAY_SECONDS: '3600',
    ADMIN_TOKEN,
    ...env,
  });
  const plugin: RunningPlugin = await startPlugin(config, {
    logger: silentLogger,
    clock,
    database,
    startWorker: false,
  });
  const stripe = plugin.stripe.stripe;
  const emulator = plugin.stripe.emulator!.emulator;
  const sandbox = plugin.flexcharge.sandbox!.sandbox;

  /** Delivers every due webhook on both sides and lets the worker act, until nothing moves. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await emulator.runDue();
      await sandbox.runDue();
      const before = await progressMarker();
      await plugin.worker.drain();
      await emulator.runDue();
      await sandbox.runDue();
      if ((await progressMarker()) === before) return;
    }
  }

  async function progressMarker(): Promise<string> {
    const rows = await database.db
      .selectFrom('flexcharge_mit.inbox_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const history = await database.db
      .selectFrom('flexcharge_mit.rescue_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return `${rows.n}/${history.n}/${emulator.events.length}/${sandbox.deliveries.length}`;
  }

  async function advance(ms: number): Promise<void> {
    // Step in hours so each side's timers fire in order, as they would in real time.
    const end = clock.now().getTime() + ms;
    while (clock.now().getTime() < end) {
      clock.set(Math.min(end, clock.now().getTime() + 6 * HOUR_MS));
      await settle();
    }
  }

  /** A customer whose first payment passed 3DS, subscribed monthly; the card registered with FlexCharge. */
  async function subscriber(
    options: { flexchargePan?: string; register?: 'admin' | 'metadata' | 'none' } = {},
  ) {
    const customer = await stripe.customers.create({
      email: 'jenny@example.com',
      name: 'Jenny Rosen',
      phone: '+33 1 23 45 67 89',
      address: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
    });
    const paymentMethod = await stripe.paymentMethods.attach('pm_card_authenticationRequiredOnSetup', {
      customer: customer.id,
    });
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
    const price = await stripe.prices.create({
      currency: 'eur',
      unit_amount: 2900,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro plan' },
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    const register = options.register ?? 'admin';
    if (register !== 'none') {
      const { token } = await plugin.flexcharge.client!.tokenize({
        payment_method: {
          credit_card: {
            first_name: 'Jenny',
            last_name: 'Rosen',
            number: options.flexchargePan ?? FLEXCHARGE_RESCUED_PAN,
            month: '12',
            year: '2030',
          },
        },
      });
      if (register === 'admin') {
        await request(plugin.url)
          .put(`/admin/card-tokens/stripe/${paymentMethod.id}`)
          .auth(ADMIN_TOKEN, { type: 'bearer' })
          .send({ token })
          .expect(204);
      } else {
        await stripe.paymentMethods.update(paymentMethod.id, { metadata: { flexcharge_token: token } });
      }
    }
    await settle();
    return { customer, paymentMethod, price, subscription };
  }

  /** From the next charge on, the card declines with this code (the emulator's control route). */
  const declineNextCharges = (paymentMethodId: string, declineCode: string | null) =>
    setCardBehavior(plugin.stripe.emulator!.url, paymentMethodId, declineCode);

  /** Moves to just past the current period end: Stripe creates the renewal invoice and charges it. */
  async function renew(subscriptionId: string): Promise<Stripe.Invoice> {
    clock.set(Math.max(clock.now().getTime(), await justAfterPeriodEnd(stripe, subscriptionId)));
    await settle();
    const invoices = await stripe.invoices.list({ subscription: subscriptionId, limit: 1 });
    const invoice = invoices.data[0];
    if (invoice?.billing_reason !== 'subscription_cycle') throw new Error('no renewal invoice was created');
    return invoice;
  }

  async function rescueFor(invoiceId: string) {
    const res = await request(plugin.url)
      .get(`/admin/invoices/stripe/${invoiceId}/rescue`)
      .auth(ADMIN_TOKEN, { type: 'bearer' });
    return res.status === 200
      ? (res.body as {
          rescue: {
            id: string;
            state: string;
            ineligibleReason: string | null;
            flexcharge: { orderId: string | null; confirmationId: string | null };
          };
          history: { to_state: string; note: string }[];
        })
      : null;
  }

  const sandboxCalls = (path: string) =>
    sandbox.requests.filter((r) => r.path === path || r.path.startsWith(`${path}/`) || r.path.endsWith(path));

  /** Posts a Stripe event to the plugin as Stripe would, signed now with the endpoint's secret. */
  function postStripeEvent(event: object) {
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: plugin.stripe.webhookSecret,
      timestamp: Math.floor(clock.now().getTime() / 1000),
    });
    return request(plugin.url)
      .post('/webhooks/stripe')
      .set('stripe-signature', header)
      .set('content-type', 'application/json')
      .send(payload);
  }

  /** What the plugin sent to /evaluate, as its call log recorded it (redacted). */
  async function evaluateBodies(): Promise<EvaluateRequest[]> {
    const rows = await database.db
      .selectFrom('flexcharge_mit.flexcharge_calls')
      .select(['request_body', 'outcome'])
      .where('operation', '=', 'evaluate')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.request_body as EvaluateRequest);
  }

  return {
    clock,
    plugin,
    stripe,
    emulator,
    sandbox,
    database,
    settle,
    advance,
    subscriber,
    declineNextCharges,
    renew,
    rescueFor,
    sandboxCalls,
    evaluateBodies,
    postStripeEvent,
    async close() {
      await plugin.stop();
      await database.close();
    },
  };
}

export type E2E = Awaited<ReturnType<typeof startE2E>>;

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
