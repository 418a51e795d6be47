import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { parseDuration, runReplayCommand } from '../../plugin/cli/replay-command.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { DAY_MS, type E2E, HOUR_MS, startE2E } from '../e2e/plugin-harness.js';

const KEY = randomBytes(32).toString('base64');

/**
 * The plugin was down while two renewals failed: one an hour ago, one four days ago; a third
 * failure in between reached it by webhook. Replay finds all three in Stripe's event list, leaves the
 * one the plugin has, hands the fresh one to the worker (which makes it a rescue, once) and only
 * reports the stale one, however often it runs.
 */
describe('flexcharge-mit replay, against the Stripe emulator and the worker', () => {
  let e2e: E2E;
  let fresh: Stripe.Invoice;
  let stale: Stripe.Invoice;
  let seen: Stripe.Invoice;

  before(async () => {
    e2e = await startE2E({ ENCRYPTION_KEY: KEY });
    const old = await e2e.subscriber();
    e2e.clock.set(e2e.clock.now().getTime() + 4 * DAY_MS);
    const witnessed = await e2e.subscriber();
    e2e.clock.set(e2e.clock.now().getTime() + 2 * 60_000);
    const recent = await e2e.subscriber();
    for (const s of [old, witnessed, recent])
      await e2e.declineNextCharges(s.paymentMethod.id, 'insufficient_funds');

    // Two outages: Stripe has no working endpoint for the plugin while two of the renewals fail.
    const [endpoint] = (await e2e.stripe.webhookEndpoints.list()).data;
    assert.ok(endpoint);
    const endpointWorks = (works: boolean) =>
      e2e.stripe.webhookEndpoints.update(endpoint.id, { disabled: !works });
    await endpointWorks(false);
    stale = await e2e.renew(old.subscription.id);
    // Stripe's first retry of it (three days on) fails during the outage too.
    e2e.clock.set(e2e.clock.now().getTime() + 3 * DAY_MS + HOUR_MS);
    await e2e.settle();
    await endpointWorks(true);
    seen = await e2e.renew(witnessed.subscription.id);
    await endpointWorks(false);
    fresh = await e2e.renew(recent.subscription.id);
    e2e.clock.set(e2e.clock.now().getTime() + HOUR_MS);
    await endpointWorks(true);
    await e2e.settle();
    assert.equal(await rescueCount(), 1, 'the plugin saw only the failure its webhook brought');
    assert.ok(await e2e.rescueFor(seen.id));
  });
  after(() => e2e.close());

  const config = () => loadConfig({ FLEXCHARGE_ENV: 'local', ENCRYPTION_KEY: KEY });

  async function replay(...more: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runReplayCommand(
      [
        '--merchant',
        'default',
        '--since',
        '7d',
        '--api-key-env',
        'STRIPE_KEY',
        '--api-base',
        e2e.plugin.stripe.emulator!.url,
        ...more,
      ],
      config(),
      {
        logger: silentLogger,
        print: (line) => out.push(line),
        printError: (line) => err.push(line),
        database: e2e.database,
        env: { STRIPE_KEY: e2e.emulator.apiKey },
        clock: e2e.clock,
      },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const rescueCount = async () =>
    Number(
      (
        await e2e.database.db
          .selectFrom('flexcharge_mit.rescues')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const replayedJson = async (...more: string[]) => {
    const result = await replay(...more, '--json');
    assert.equal(result.code, 0, result.err);
    return JSON.parse(result.out) as {
      alreadyKnown: number;
      failures: { invoiceId: string; verdict: string; why: string | null; amount: { amount: number } }[];
      passedOver: Record<string, number>;
    };
  };

  it('--dry-run lists the fresh failure and the stale one, and hands nothing over (twice)', async () => {
    const inboxBefore = await e2e.plugin.database.db
      .selectFrom('flexcharge_mit.inbox_events')
      .select('id')
      .execute();
    for (const run of [1, 2]) {
      const report = await replayedJson('--dry-run');
      assert.deepEqual(
        report.failures.map((f) => [f.invoiceId, f.verdict]),
        [
          [stale.id, 'stale'],
          [fresh.id, 'would_hand_over'],
        ],
        `run ${run}`,
      );
      assert.equal(report.alreadyKnown, 1, 'the failure its webhook brought');
      assert.match(report.failures[0]?.why ?? '', /past the 24h FlexCharge takes/);
      assert.equal(report.failures[1]?.amount.amount, fresh.amount_due);
      // Stripe retried the stale invoice three days after it failed: not a first failure.
      assert.deepEqual(Object.values(report.passedOver), [1]);
    }
    await e2e.settle();
    assert.equal(await rescueCount(), 1);
    const inboxAfter = await e2e.database.db.selectFrom('flexcharge_mit.inbox_events').select('id').execute();
    assert.deepEqual(inboxAfter, inboxBefore);
  });

  it('hands the fresh failure over once, the worker makes it one rescue, and the stale one stays a report', async () => {
    const first = await replay();
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /1 handed over, 1 not handed over, 1 already known/);
    assert.match(first.out, new RegExp(`handed over: ${fresh.id}  \\d+\\.\\d{2} [A-Z]{3}  failed `));
    assert.match(first.out, new RegExp(`stale: ${stale.id} .*RESCUE_FRESHNESS_HOURS`));
    await e2e.settle();
    const rescue = await e2e.rescueFor(fresh.id);
    assert.ok(rescue, 'the replayed failure became a rescue');
    assert.equal(rescue.rescue.state, 'held', JSON.stringify(rescue.history));
    assert.equal(await e2e.rescueFor(stale.id), null);

    for (const run of [2, 3]) {
      const again = await replayedJson();
      assert.equal(again.alreadyKnown, 2, `run ${run}`);
      assert.deepEqual(
        again.failures.map((f) => [f.invoiceId, f.verdict]),
        [[stale.id, 'stale']],
      );
      await e2e.settle();
    }
    assert.equal(await rescueCount(), 2);
    const evaluated = (await e2e.evaluateBodies()).map((b) => b.orderId);
    assert.deepEqual(evaluated.sort(), [seen.id, fresh.id].sort(), 'FlexCharge was asked about each once');
    assert.equal((await e2e.rescueFor(fresh.id))?.rescue.id, rescue.rescue.id);
  });

  it('takes durations of minutes, hours and days, up to what Stripe keeps', async () => {
    assert.equal(parseDuration('90m'), 90 * 60_000);
    assert.equal(parseDuration('1d12h'), 36 * HOUR_MS);
    assert.equal(parseDuration('30d'), 30 * DAY_MS);
    for (const bad of ['', '0h', '31d', '6 hours', '-1d']) assert.throws(() => parseDuration(bad), /--since/);
    const usage = await replay('--since', 'yesterday');
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--since takes a duration/);
  });
});
