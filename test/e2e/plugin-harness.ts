import type Stripe from 'stripe';
import request from 'supertest';
import { DEMO_CREDENTIAL } from '../../adapters/flexcharge/sandbox/index.js';
import type { EvaluateRequest } from '../../adapters/flexcharge/wire/requests.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import type { ProviderForUse } from '../../plugin/core/merchant-runtime.js';
import { createLocalDriver } from '../../plugin/runtime/local-driver.js';
import { subscribeLocalCustomer } from '../../plugin/runtime/local-subscriber.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import { createCardTokenRepository } from '../../plugin/storage/card-token-repository.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createInboxRepository } from '../../plugin/storage/inbox-repository.js';
import { createRescueRepository } from '../../plugin/storage/rescue-repository.js';
import { createTransmissionRepository } from '../../plugin/storage/transmission-repository.js';
import { createWorker, type Worker, type WorkerDeps } from '../../plugin/worker/worker.js';
import { createCapturedLogger } from '../support/log-capture.js';
import { secretsReport } from '../support/log-secrets.js';
import { justAfterPeriodEnd, setCardBehavior } from '../support/stripe-emulator-controls.js';
import { createTestDatabase } from '../support/test-database.js';

export { DAY_MS };
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
export const HOUR_MS = 3_600_000;

export {
  FLEXCHARGE_NEVER_RESCUED_PAN,
  FLEXCHARGE_RESCUED_PAN,
} from '../../plugin/runtime/local-subscriber.js';

/**
 * The behaviours the public contracts leave open, as the local emulators can play them (their
 * READMEs, "Behaviour switches" and "After a hold"). `default` is what they do out of the box;
 * `alternate` flips every switch; `final-action` is `alternate` with Stripe ending dunning at once
 * when a hold is released late. `E2E_PROFILE` picks one (default `default`); `npm test` runs the
 * e2e files once per profile listed in `E2E_PROFILES`.
 */
const ALTERNATE = {
  SANDBOX_REQUIRED_FIELDS: 'latest',
  SANDBOX_BILLING_FIELDS: 'country_postal',
  SANDBOX_CANCEL_COMPLETED: 'accept',
  SANDBOX_REFUND_REFUNDED: 'replay',
  STRIPE_EMULATOR_RELEASE_RETRY: 'none',
};
export const E2E_PROFILES: Record<string, Record<string, string>> = {
  default: {},
  alternate: ALTERNATE,
  'final-action': { ...ALTERNATE, STRIPE_EMULATOR_RELEASE_RETRY: 'final_action' },
};

/** The switches of the profile `E2E_PROFILE` names; an unknown name fails loudly rather than run defaults. */
export function e2eProfile(name = process.env.E2E_PROFILE || 'default'): Record<string, string> {
  const profile = E2E_PROFILES[name];
  if (!profile)
    throw new Error(`unknown E2E_PROFILE ${name}; known: ${Object.keys(E2E_PROFILES).join(', ')}`);
  return profile;
}

/**
 * The whole plugin as a merchant runs it locally: real PostgreSQL (or PGlite), the Stripe emulator
 * through the real SDK, the FlexCharge sandbox over real HTTP, all on one manual clock. The worker
 * is driven by `settle()` so each step is deterministic. The emulators play the `E2E_PROFILE`
 * behaviours; a test's own `env` wins over the profile.
 */
export async function startE2E(env: Record<string, string> = {}) {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const database: DatabaseHandle = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    FLEXCHARGE_ENV: 'local',
    SANDBOX_DECISION_DELAY_SECONDS: '3600',
    ADMIN_TOKEN,
    ...e2eProfile(),
    ...env,
  });
  // The plugin's real logger, into memory: its lines are scanned for secrets when the test closes.
  const { logger, lines: logLines } = createCapturedLogger();
  const plugin: RunningPlugin = await startPlugin(config, {
    logger,
    clock,
    database,
    startWorker: false,
  });
  const stripe = plugin.stripe.stripe;
  const emulator = plugin.stripe.emulator!.emulator;
  const sandbox = plugin.flexcharge.sandbox!.sandbox;

  const { settle, advance } = createLocalDriver(plugin, clock);

  /** A customer whose first payment passed 3DS, subscribed monthly; the card registered with FlexCharge. */
  async function subscriber(
    options: { flexchargePan?: string; register?: 'admin' | 'metadata' | 'none' } = {},
  ) {
    const created = await subscribeLocalCustomer(plugin, { adminToken: ADMIN_TOKEN, ...options });
    await settle();
    return created;
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

  /**
   * A worker of another instance of the plugin on the same database, acting for the same merchant;
   * `provider` stands in for its FlexCharge port (e.g. a slow one), `worker` for its settings.
   */
  function anotherWorker(
    workerId: string,
    options: { provider?: ProviderForUse; worker?: Partial<WorkerDeps> } = {},
  ): Worker {
    const db = database.db;
    return createWorker({
      inbox: createInboxRepository(db),
      rescues: createRescueRepository(db),
      transmissions: createTransmissionRepository(db),
      cardTokens: createCardTokenRepository(db, plugin.secrets),
      merchants: options.provider
        ? {
            resolve: async (id) => ({
              ...(await plugin.merchants.resolve(id)),
              provider: () => options.provider!,
            }),
          }
        : plugin.merchants,
      clock,
      logger,
      workerId,
      ...options.worker,
    });
  }

  /** FlexCharge as the worker uses it for the merchant configured from the environment. */
  async function defaultProvider(): Promise<ProviderForUse> {
    return (await plugin.merchants.resolve('default')).provider('sandbox');
  }

  /** The rescue row of an invoice, as stored. */
  function rescueRow(invoiceId: string) {
    return database.db
      .selectFrom('flexcharge_mit.rescues')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirstOrThrow();
  }

  /** A subscriber whose renewal just declined: the failure is in the plugin's inbox, not yet worked. */
  async function declinedRenewal() {
    const { subscription, paymentMethod, customer } = await subscriber();
    await declineNextCharges(paymentMethod.id, 'insufficient_funds');
    clock.set(await justAfterPeriodEnd(stripe, subscription.id));
    await emulator.runDue();
    const invoice = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    return { subscription, paymentMethod, customer, invoice };
  }

  return {
    clock,
    plugin,
    defaultProvider,
    anotherWorker,
    rescueRow,
    declinedRenewal,
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
    logLines,
    /** Closes everything, then fails if any line the plugin logged carries a secret of this run. */
    async close() {
      const known = await knownSecrets().catch(() => staticSecrets());
      await plugin.stop();
      await database.close();
      const report = secretsReport(logLines(), known);
      if (report) throw new Error(`the plugin logged secrets (see logLines()):\n${report}`);
    },
  };

  /** The run's secrets whose values are known: the configured ones, and every FlexCharge card token. */
  function staticSecrets(): string[] {
    return [
      ADMIN_TOKEN,
      plugin.stripe.secretKey,
      plugin.stripe.webhookSecret,
      plugin.flexcharge.subscriberKey ?? '',
      DEMO_CREDENTIAL.appKey,
      DEMO_CREDENTIAL.appSecret,
      DEMO_CREDENTIAL.tokenizationKey,
    ];
  }
  async function knownSecrets(): Promise<string[]> {
    const repository = createCardTokenRepository(database.db, plugin.secrets);
    const rows = await database.db
      .selectFrom('flexcharge_mit.card_tokens')
      .select(['merchant_id', 'engine', 'payment_method_id'])
      .execute();
    const tokens = await Promise.all(
      rows.map((r) => repository.find(r.merchant_id, r.engine, r.payment_method_id)),
    );
    return [...staticSecrets(), ...tokens.filter((t): t is string => t !== null)];
  }
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
