import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import type { SandboxOrder } from '../../adapters/flexcharge/sandbox/sandbox-order.js';
import { decodeSnapshotJson } from '../../adapters/local-state/snapshot-file.js';
import { loadConfig } from '../../plugin/config/load-config.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { FINAL_STATES } from '../../plugin/core/rescue-states.js';
import { dayDirectory, readDayProgress } from '../../plugin/runtime/renewal-day/day-progress.js';
import { STORY_STEPS } from '../../plugin/runtime/renewal-day/play-renewal-day.js';
import {
  type RenewalDaySummary,
  summarizeRenewalDay,
} from '../../plugin/runtime/renewal-day/renewal-day-summary.js';
import { renewalDayConfig, tellRenewalDay } from '../../plugin/runtime/renewal-day/start-renewal-day.js';
import { StoryClock } from '../../plugin/runtime/renewal-day/story-clock.js';
import { DEFAULT_MERCHANT_ID, startPlugin } from '../../plugin/runtime/start-plugin.js';
import { type DatabaseHandle, openDatabase } from '../../plugin/storage/database.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * `npm start` stopped in the middle of its renewal day and started again on the same DATA_DIR: a
 * real process (`flexcharge-mit start`), stopped with SIGTERM during the holds, then with Ctrl-C
 * (SIGINT) in the middle of a later step, then left to finish. Every rescue must end as in a day
 * played without a stop (same seed, same size), with no second evaluate and no second charge. A
 * SIGKILL is not tried: the local services then lose their changes since their last write, which the
 * plugin's database may already have acted on (README, "Set up"); real Stripe and FlexCharge do not.
 */
const SUBSCRIPTIONS = Number(process.env.RENEWAL_DAY_RESTART_SIZE ?? 40);
const ROOT = resolve(import.meta.dirname, '../..');
/** Variables that would make `start` skip the renewal day (renewal-day-wanted.ts), and the test database. */
const CONFIGURING = /^(DATABASE_URL|STRIPE_|FLEXCHARGE_|RENEWAL_DAY|LOG_FORMAT|PORT|DATA_DIR|ADMIN_TOKEN)/;

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves once the output has a line matching `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startProcess(dataDir: string): Started {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIGURING.test(name)));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'plugin/cli/main.ts', 'start', '--subscriptions', String(SUBSCRIPTIONS)],
    { cwd: ROOT, env: { ...env, DATA_DIR: dataDir, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const listeners = new Set<() => void>();
  const hear = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', hear);
  child.stderr?.on('data', hear);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern) {
      return new Promise((resolveWait, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within 5 minutes:\n${text}`)),
          300_000,
        );
        timer.unref();
        const check = () => {
          if (!pattern.test(text)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolveWait();
        };
        listeners.add(check);
        check();
        void exited.then(({ code, signal }) =>
          reject(new Error(`exited (${code ?? signal}) before ${pattern}:\n${text}`)),
        );
      });
    },
  };
}

function readState<T>(dataDir: string, file: string): T {
  return (decodeSnapshotJson(readFileSync(join(dayDirectory(dataDir), file), 'utf8')) as { state: T }).state;
}

function sandboxOrders(dataDir: string): SandboxOrder[] {
  return [
    ...readState<{ orders: Map<string, SandboxOrder> }>(dataDir, 'flexcharge-sandbox.json').orders.values(),
  ];
}

function emulatorStore(dataDir: string): {
  invoices: Map<string, Stripe.Invoice>;
  charges: Map<string, Stripe.Charge>;
} {
  const state = readState<{ accounts: { kind: string; store: Record<string, [string, never][]> }[] }>(
    dataDir,
    'stripe-emulator.json',
  );
  const platform = state.accounts.find((a) => a.kind === 'platform');
  assert.ok(platform, 'the emulator state has its platform account');
  return { invoices: new Map(platform.store.invoices), charges: new Map(platform.store.charges) };
}

async function withDayDatabase<T>(
  dataDir: string,
  use: (db: DatabaseHandle['db']) => Promise<T>,
): Promise<T> {
  const handle = await openDatabase({ kind: 'pglite', dataDir: join(dayDirectory(dataDir), 'pglite') });
  try {
    return await use(handle.db);
  } finally {
    await handle.close();
  }
}

describe('npm start stopped and started again in the middle of its renewal day', { timeout: 900_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'renewal-day-restart-'));
  /** The in-process day's DATA_DIR: handed a database, the plugin keeps its emulators in memory. */
  const inMemoryDataDir = mkdtempSync(join(tmpdir(), 'renewal-day-in-memory-'));
  let uninterrupted: RenewalDaySummary;
  let heldAtStop: { invoice_id: string; flexcharge_order_id: string | null; state: string }[] = [];
  let restarted: RenewalDaySummary;
  let stoppedAtStep = 0;
  let resumedFromStep = 0;
  const outputs: string[] = [];

  before(async () => {
    // The same day, played in one go (in-process, its own database), to compare with.
    const database = await createTestDatabase();
    const clock = new StoryClock();
    const config = renewalDayConfig(
      loadConfig({ PORT: '0', FLEXCHARGE_ENV: 'local', DATA_DIR: inMemoryDataDir }),
      {},
    );
    const plugin = await startPlugin(config, { logger: silentLogger, clock, database, startWorker: false });
    try {
      const told = await tellRenewalDay(plugin, clock, {
        subscriptions: SUBSCRIPTIONS,
        adminToken: null,
        output: { write: () => true },
      });
      uninterrupted = told.summary;
    } finally {
      await plugin.stop();
      await database.close();
    }

    // 1. Stopped with SIGTERM as the holds begin: the step under way ends, everything is written.
    const first = startProcess(dataDir);
    await first.waitFor(/^Renewal day \d{4}-\d\d-\d\d: /m);
    first.child.kill('SIGTERM');
    const firstExit = await first.exited;
    outputs.push(first.output());
    assert.equal(firstExit.code, 0, `a SIGTERM ends the process cleanly:\n${first.output()}`);
    heldAtStop = await withDayDatabase(dataDir, (db) =>
      db
        .selectFrom('flexcharge_mit.rescues')
        .select(['invoice_id', 'flexcharge_order_id', 'state'])
        .where('flexcharge_order_id', 'is not', null)
        .execute(),
    );
    heldAtStop = heldAtStop.filter((r) => !FINAL_STATES.has(r.state as never));

    // 2. Started again, then stopped with Ctrl-C in the middle of a later step.
    const second = startProcess(dataDir);
    await second.waitFor(/^Going on with the renewal day/m);
    await second.waitFor(/^Day {2}7\/22/m);
    second.child.kill('SIGINT');
    const secondExit = await second.exited;
    outputs.push(second.output());
    assert.equal(secondExit.code, 0, `a Ctrl-C ends the process cleanly:\n${second.output()}`);
    stoppedAtStep = readDayProgress(dayDirectory(dataDir))?.stepsDone ?? 0;
    assert.ok(stoppedAtStep < STORY_STEPS, `the Ctrl-C came before the day's end:\n${second.output()}`);

    // 3. Started again: the day goes on to its end; then stopped.
    const third = startProcess(dataDir);
    await third.waitFor(/^The plugin keeps running/m);
    third.child.kill('SIGTERM');
    const thirdExit = await third.exited;
    outputs.push(third.output());
    assert.equal(thirdExit.code, 0, third.output());
    resumedFromStep = /^Going on with the renewal day /m.test(third.output()) ? stoppedAtStep : 0;
    restarted = await withDayDatabase(dataDir, async (db) => {
      const since = readDayProgress(dayDirectory(dataDir))?.renewalDay;
      assert.ok(since, 'the day kept its progress');
      return summarizeRenewalDay(db, DEFAULT_MERCHANT_ID, since);
    });
  });
  after(() => {
    console.log(outputs.map((o, i) => `--- start ${i + 1}\n${o}`).join('\n'));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(inMemoryDataDir, { recursive: true, force: true });
  });

  it('writes no state file when the plugin is handed its database (tests)', () => {
    assert.deepEqual(
      readdirSync(inMemoryDataDir, { recursive: true }).filter((f) => String(f).endsWith('.json')),
      [],
    );
  });

  it('found every held rescue’s order and invoice again after the SIGTERM', () => {
    assert.ok(heldAtStop.length > 0, 'some rescues were held when the process stopped');
    const orders = new Map(sandboxOrders(dataDir).map((o) => [o.orderSessionKey, o]));
    const { invoices } = emulatorStore(dataDir);
    for (const held of heldAtStop) {
      assert.ok(orders.has(held.flexcharge_order_id as string), `order of ${held.invoice_id} kept`);
      assert.ok(invoices.has(held.invoice_id), `invoice ${held.invoice_id} kept`);
    }
  });

  it('went on with the same day after each stop, and ended every rescue as a day without a stop', async () => {
    assert.ok(resumedFromStep > 0, 'the third start went on from where the Ctrl-C left the day');
    assert.ok(existsSync(join(dayDirectory(dataDir), 'pglite')));
    assert.deepEqual(restarted, uninterrupted);
    assert.equal(restarted.open, 0);
    const states = await withDayDatabase(dataDir, (db) =>
      db.selectFrom('flexcharge_mit.rescues').select(['state', 'invoice_id']).execute(),
    );
    assert.deepEqual(
      states.filter((s) => !FINAL_STATES.has(s.state)),
      [],
      'every rescue ended in a final state',
    );
  });

  it('evaluated each declined invoice once and charged no one twice', async () => {
    const orders = sandboxOrders(dataDir);
    const byInvoice = new Map<string, number>();
    for (const order of orders)
      byInvoice.set(order.externalOrderId, (byInvoice.get(order.externalOrderId) ?? 0) + 1);
    assert.deepEqual(
      [...byInvoice].filter(([, n]) => n > 1),
      [],
      'one FlexCharge order per invoice',
    );
    const recovered = await withDayDatabase(dataDir, (db) =>
      db
        .selectFrom('flexcharge_mit.rescues')
        .select(['invoice_id', 'customer_id', 'failed_at'])
        .where('state', '=', 'recovered')
        .execute(),
    );
    const { invoices, charges } = emulatorStore(dataDir);
    for (const rescue of recovered) {
      assert.equal(invoices.get(rescue.invoice_id)?.status, 'paid', `${rescue.invoice_id} written back`);
      // Collected by FlexCharge: Stripe must not have taken the renewal from the card as well.
      const taken = [...charges.values()].filter(
        (c) =>
          c.customer === rescue.customer_id &&
          c.status === 'succeeded' &&
          c.created * 1000 >= new Date(rescue.failed_at).getTime(),
      );
      assert.deepEqual(
        taken.map((c) => c.id),
        [],
        `no Stripe charge for ${rescue.invoice_id}`,
      );
    }
    // Every customer paid their renewal at most once in Stripe.
    const renewalDay = readDayProgress(dayDirectory(dataDir))?.renewalDay.getTime() ?? 0;
    const paid = new Map<string, number>();
    for (const charge of charges.values())
      if (charge.status === 'succeeded' && charge.created * 1000 >= renewalDay)
        paid.set(String(charge.customer), (paid.get(String(charge.customer)) ?? 0) + 1);
    assert.deepEqual(
      [...paid].filter(([, n]) => n > 1),
      [],
    );
  });
});
