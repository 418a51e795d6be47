import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { DEMO_CREDENTIAL, DEMO_SUBSCRIBER_KEY } from '../../adapters/flexcharge/sandbox/index.js';
import { configSchema } from '../../plugin/config/config-schema.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { DAY_MS, ManualClock } from '../../plugin/core/clock.js';
import { ConfigError } from '../../plugin/core/errors.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { withLocalDefaults } from '../../plugin/runtime/local-defaults.js';
import { subscribeMonthly } from '../../plugin/runtime/local-subscriber.js';
import { localSwitchesFromEnv, sandboxSwitches } from '../../plugin/runtime/local-switches.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { E2E_PROFILES, e2eProfile } from '../e2e/plugin-harness.js';
import { justAfterPeriodEnd, setCardBehavior } from '../support/stripe-emulator-controls.js';
import { createTestDatabase } from '../support/test-database.js';

const EMULATOR_CODE = /^adapters\/(flexcharge\/sandbox|stripe\/emulator)\//;

/**
 * Every file `entry` loads through static imports (type-only imports are erased and `import()` is
 * not followed): what Node loads when it runs `entry`, before any dynamic import.
 */
function staticallyLoaded(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      const typeOnly =
        (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly) ||
        (ts.isExportDeclaration(statement) && statement.isTypeOnly);
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (typeOnly || !specifier?.startsWith('.')) continue;
      const target = relative('.', join(dirname(file), specifier)).replace(/\.js$/, '.ts');
      if (existsSync(target)) visit(target);
    }
  };
  visit(entry);
  return seen;
}

describe('the emulators stay out of production', () => {
  it('the CLI, and so `start`, loads no emulator code until a local mode imports it', () => {
    const loaded = staticallyLoaded('plugin/cli/main.ts');
    assert.ok(
      loaded.has('plugin/runtime/start-plugin.ts') && loaded.has('plugin/runtime/flexcharge-setup.ts'),
    );
    assert.deepEqual(
      [...loaded].filter((file) => EMULATOR_CODE.test(file)),
      [],
    );
    // The walk does find them behind the local modules that a local mode imports.
    const local = staticallyLoaded('plugin/runtime/local-flexcharge.ts');
    assert.ok([...local].some((file) => EMULATOR_CODE.test(file)));
  });

  it('refuses to start FlexCharge production with the Stripe emulator, or a live Stripe key with a test FlexCharge', () => {
    // Everything else a hosted FlexCharge needs, so only the Stripe side is judged here.
    const hosted = {
      FLEXCHARGE_MID: 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45',
      FLEXCHARGE_SITE_URL: 'https://shop.example.com',
      ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    };
    const production = {
      FLEXCHARGE_ENV: 'production',
      FLEXCHARGE_APP_KEY: 'k',
      FLEXCHARGE_APP_SECRET: 's',
      ...hosted,
    };
    const variablesOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.issues.map((issue) => issue.variable);
      }
    };
    assert.deepEqual(variablesOf(production), ['STRIPE_SECRET_KEY']);
    assert.deepEqual(
      variablesOf({ ...production, STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }),
      ['STRIPE_SECRET_KEY'],
    );
    const live = { STRIPE_SECRET_KEY: 'rk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };
    assert.deepEqual(variablesOf({ FLEXCHARGE_ENV: 'local', ...live }), ['FLEXCHARGE_ENV']);
    assert.deepEqual(variablesOf({ FLEXCHARGE_ENV: 'sandbox', ...hosted, ...live }), ['FLEXCHARGE_ENV']);
    assert.deepEqual(variablesOf({ ...production, ...live }), []);
    assert.deepEqual(
      variablesOf({ FLEXCHARGE_ENV: 'sandbox', ...hosted }),
      [],
      'FlexCharge sandbox with the emulator',
    );
  });

  it('fills in the sandbox’s demo account, MID and site only for FLEXCHARGE_ENV=local', async () => {
    const local = await withLocalDefaults(loadConfig({ FLEXCHARGE_ENV: 'local' }));
    assert.equal(local.FLEXCHARGE_MID, DEMO_CREDENTIAL.mid);
    assert.equal(local.FLEXCHARGE_SITE_ID, DEMO_CREDENTIAL.siteIds?.[0]);
    assert.equal(local.FLEXCHARGE_APP_KEY, DEMO_CREDENTIAL.appKey);
    assert.equal(local.FLEXCHARGE_WEBHOOK_KEY, DEMO_SUBSCRIBER_KEY);
    const withUrl = await withLocalDefaults(loadConfig({ FLEXCHARGE_SITE_URL: 'https://shop.example' }));
    assert.equal(withUrl.FLEXCHARGE_SITE_ID, undefined, 'a configured site URL is the site');
    const hosted = loadConfig({
      FLEXCHARGE_ENV: 'sandbox',
      FLEXCHARGE_MID: 'a8a0a74d-2509-4cbc-9eb5-879c7a34eb45',
      FLEXCHARGE_SITE_URL: 'https://shop.example.com',
      ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
    assert.deepEqual(await withLocalDefaults(hosted), hosted);
  });

  it('reads the emulators’ switches from the environment and names a bad value', () => {
    const switches = sandboxSwitches(
      localSwitchesFromEnv({ SANDBOX_CANCEL_COMPLETED: 'accept', SANDBOX_BILLING_FIELDS: 'country_postal' }),
    );
    assert.equal(switches.cancelCompleted, 'accept');
    assert.equal(switches.billingFields, 'country_postal');
    assert.equal(switches.refundRefunded, 'refuse');
    assert.throws(
      () => localSwitchesFromEnv({ STRIPE_EMULATOR_RELEASE_RETRY: 'sometimes', PORT: 'not checked here' }),
      (error) => error instanceof ConfigError && /STRIPE_EMULATOR_RELEASE_RETRY/.test(error.message),
    );
  });
});

describe('the local emulators inside the plugin follow the environment’s switches', () => {
  const clock = new ManualClock('2026-06-12T14:30:00Z');
  let database: DatabaseHandle;
  let plugin: RunningPlugin;
  before(async () => {
    database = await createTestDatabase();
    const config = loadConfig({
      PORT: '0',
      FLEXCHARGE_ENV: 'local',
      SANDBOX_DECISION_DELAY_SECONDS: '60',
      SANDBOX_CANCEL_COMPLETED: 'accept',
      STRIPE_EMULATOR_RELEASE_RETRY: 'none',
    });
    plugin = await startPlugin(config, { logger: silentLogger, clock, database, startWorker: false });
  });
  after(async () => {
    await plugin.stop();
    await database.close();
  });

  it('SANDBOX_CANCEL_COMPLETED=accept: cancelling a completed order answers 200 and leaves it completed', async () => {
    const client = plugin.flexcharge.client!;
    const { token } = await client.tokenize({
      payment_method: {
        credit_card: {
          first_name: 'Jane',
          last_name: 'Doe',
          number: '4242424242424242',
          month: '09',
          year: '2030',
        },
      },
    });
    const evaluated = await client.evaluate({
      isDeclined: true,
      isMIT: true,
      isRecurring: true,
      mid: DEMO_CREDENTIAL.mid,
      siteId: DEMO_CREDENTIAL.siteIds?.[0],
      orderId: `in_${randomUUID()}`,
      idempotencyKey: randomUUID(),
      expiryDateUtc: new Date(clock.now().getTime() + 21 * DAY_MS).toISOString(),
      subscription: { subscriptionId: 'sub_1', interval: 'monthly', price: 1999, currency: 'USD' },
      transaction: {
        id: `ch_${randomUUID()}`,
        timestampUtc: clock.now().toISOString(),
        amount: 1999,
        currency: 'USD',
        responseCode: '51',
        responseCodeSource: 'stripe',
        avsResultCode: 'NA',
        cvvResultCode: 'NA',
        cavvResultCode: 'NA',
      },
      payer: { email: 'jane@example.com' },
      billingInformation: {
        firstName: 'Jane',
        lastName: 'Doe',
        country: 'France',
        countryCode: 'FR',
        addressLine1: '1 Rue de Rivoli',
        city: 'Paris',
        zipCode: '75001',
      },
      paymentMethod: { cardNumber: token, token: true },
    });
    const orderId = evaluated.orderSessionKey!;
    clock.advance(61_000);
    await plugin.flexcharge.sandbox!.sandbox.runDue();
    await client.cancelOrder(orderId);
    assert.equal((await client.outcome(orderId)).status, 'APPROVED');
  });

  it('STRIPE_EMULATOR_RELEASE_RETRY=none: a renewal held three weeks gets no further attempt when released', async () => {
    const stripe = plugin.stripe.stripe;
    const customer = await stripe.customers.create({ email: 'jenny@example.com' });
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const { subscription } = await subscribeMonthly(stripe, customer.id, card.id);
    await setCardBehavior(plugin.stripe.emulator!.url, card.id, 'insufficient_funds');
    clock.set(await justAfterPeriodEnd(stripe, subscription.id));
    await plugin.stripe.emulator!.emulator.runDue();
    const [renewal] = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data;
    await stripe.invoices.update(renewal!.id, { auto_advance: false });
    clock.advance(21 * DAY_MS);
    const released = await stripe.invoices.update(renewal!.id, { auto_advance: true });
    assert.equal(released.next_payment_attempt, null);
  });
});

describe('the end-to-end behaviour profiles', () => {
  it('alternate flips every behaviour switch the configuration knows, and an unknown profile is refused', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    const switches = Object.keys(configSchema.shape).filter(
      (name) => /^(SANDBOX|STRIPE_EMULATOR)_/.test(name) && typeof defaults[name] === 'string',
    );
    assert.ok(switches.length >= 5);
    for (const name of switches) {
      assert.ok(E2E_PROFILES.alternate?.[name], `alternate sets ${name}`);
      assert.notEqual(E2E_PROFILES.alternate?.[name], defaults[name], name);
    }
    assert.deepEqual(e2eProfile('default'), {});
    assert.throws(() => e2eProfile('sometimes'), /unknown E2E_PROFILE sometimes/);
  });
});
