// Burst benchmark: N declined renewals at once, from the Stripe emulator through the plugin to the
// FlexCharge sandbox, until every rescue is `held` in the plugin's PostgreSQL database. The emulator,
// the sandbox and each plugin instance (workers on, sharing the database) run in a process of their
// own; the conductor reads their CPU and resident memory from /proc. The renewals are created by the
// emulator's fast path (`POST /_emulator/bulk/failed_renewals`), so seeding is not what is measured.
// Prints a table per size and one summary line (keys of the last size, plus each size's figures):
//   BENCH burst failures=… instances=… held_s=… rescues_per_s=… p50_ms=… p99_ms=… stripe_req_per_rescue=…
//     cpu_ms_per_rescue_plugin=… cpu_ms_per_rescue_stripe=… cpu_ms_per_rescue_flexcharge=…
//     rss_mb_start=… rss_mb_end=… db_mb_before=… db_mb_after=… db_kb_per_rescue=… [sizes=… rescues_per_s_by_size=… …]
//
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/burst.ts
//   [--failures 2000 | --sizes 1000,5000] [--instances 1] [--merchants 1]
//   [--stripe-latency-ms 0] [--flexcharge-latency-ms 0] [--webhook-concurrency 16] [--timeout-s 600]
// Plugin settings (WORKER_CONCURRENCY, WORKER_INTERVAL_MS, …) come from the environment, as in production.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SELF = fileURLToPath(import.meta.url);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
/** Long enough that no order is decided while the burst is measured: it ends at `held`. */
const DECISION_DELAY_MS = 24 * 3_600_000;
const SAMPLE_MS = 1000;

interface Args {
  sizes: number[];
  instances: number;
  merchants: number;
  stripeLatencyMs: number;
  flexchargeLatencyMs: number;
  webhookConcurrency: number;
  timeoutS: number;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? (argv[i + 1] as string) : fallback;
  };
  const sizes = value('sizes', value('failures', '2000')).split(',').map(Number);
  const args: Args = {
    sizes,
    instances: Number(value('instances', '1')),
    merchants: Number(value('merchants', '1')),
    stripeLatencyMs: Number(value('stripe-latency-ms', '0')),
    flexchargeLatencyMs: Number(value('flexcharge-latency-ms', '0')),
    webhookConcurrency: Number(value('webhook-concurrency', '16')),
    timeoutS: Number(value('timeout-s', '600')),
  };
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!sizes.every((n) => whole(n, 1)) || !whole(args.instances, 1) || !whole(args.merchants, 1))
    throw new Error('--failures/--sizes, --instances and --merchants take whole numbers of 1 or more');
  if (sizes.some((n) => n < args.merchants))
    throw new Error('every size needs at least one failure per merchant');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Roles, each in its own process: `stripe` (the emulator), `flexcharge` (the sandbox), `plugin`.
// They report `ready` over IPC; the emulator also answers `requests` and `reset` (its counter).

type RoleMessage =
  | { ready: Record<string, string> }
  | { requests: { total: number; byKind: Record<string, number> } };

interface MerchantSpec {
  id: string;
  appKey: string;
  appSecret: string;
  mid: string;
  tokenizationKey: string;
  siteId: string;
}

async function serveStripe(latencyMs: number, webhookConcurrency: number): Promise<void> {
  const { createStripeEmulator } = await import('../adapters/stripe/emulator/index.js');
  const { OffsetClock } = await import('../plugin/core/clock.js');
  const emulator = createStripeEmulator({
    clock: new OffsetClock(),
    latencyMs,
    webhookConcurrency,
    log: (line) => console.error(line),
  });
  const server = await emulator.listen(0, '127.0.0.1');
  process.on('message', (message) => {
    if (message === 'reset') emulator.requests.reset();
    if (message === 'requests') {
      process.send?.({
        requests: { total: emulator.requests.total(), byKind: emulator.requests.snapshot() },
      } satisfies RoleMessage);
    }
  });
  process.send?.({ ready: { url: server.url, apiKey: emulator.apiKey } } satisfies RoleMessage);
}

async function serveFlexCharge(latencyMs: number, pluginUrl: string, merchants: MerchantSpec[]) {
  const { createFlexChargeSandbox, DEMO_CREDENTIAL, DEMO_SUBSCRIBER_KEY } = await import(
    '../adapters/flexcharge/sandbox/index.js'
  );
  const { OffsetClock } = await import('../plugin/core/clock.js');
  const sandbox = createFlexChargeSandbox({
    clock: new OffsetClock(),
    credentials: [
      DEMO_CREDENTIAL,
      ...merchants.map((m) => ({
        appKey: m.appKey,
        appSecret: m.appSecret,
        mid: m.mid,
        tokenizationKey: m.tokenizationKey,
        siteIds: [m.siteId],
      })),
    ],
    webhook: { url: `${pluginUrl}/webhooks/flexcharge`, subscriberKey: DEMO_SUBSCRIBER_KEY },
    decisionDelayMs: DECISION_DELAY_MS,
    latencyMs,
    // Its per-order lines would drown the progress line: only trouble is shown.
    log: (line) =>
      /fail|gave up|giving up|error/i.test(line) && console.error(`[flexcharge-sandbox] ${line}`),
  });
  const listener = await sandbox.listen(0, '127.0.0.1');
  process.send?.({ ready: { baseUrl: listener.baseUrl } } satisfies RoleMessage);
}

async function servePlugin(settings: Record<string, string>): Promise<void> {
  const { loadConfig } = await import('../plugin/config/load-config.js');
  const { silentLogger } = await import('../plugin/core/logger.js');
  const { startPlugin } = await import('../plugin/runtime/start-plugin.js');
  // The environment first, so the plugin's own settings (WORKER_CONCURRENCY and the like) pass
  // through; then what wires this instance to the bench's emulator, sandbox and database.
  const config = loadConfig({ ...process.env, ...settings });
  const plugin = await startPlugin(config, { logger: silentLogger });
  process.send?.({ ready: { url: plugin.url } } satisfies RoleMessage);
}

// ---------------------------------------------------------------------------------------------
// The conductor.

interface Spawned {
  child: ChildProcess;
  ready: Record<string, string>;
}

function spawnRole(role: string, ...args: string[]): Promise<Spawned> {
  const child = fork(SELF, [role, ...args], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before it was ready`)));
    child.on('message', (message: RoleMessage) => {
      if ('ready' in message) resolve({ child, ready: message.ready });
    });
  });
}

function ask<T>(child: ChildProcess, question: string, pick: (m: RoleMessage) => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: RoleMessage) => {
      const answer = pick(message);
      if (answer === undefined) return;
      child.off('message', onMessage);
      resolve(answer);
    };
    child.on('message', onMessage);
    child.send(question);
  });
}

const CLOCK_TICKS_PER_S = 100;

/** CPU milliseconds (user + system) and resident memory of a process, read from /proc. */
function procStats(pid: number): { cpuMs: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S, rssMb: rssKb / 1024 };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function json(
  url: string,
  init: RequestInit & { body?: string } = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

interface SizeResult {
  failures: number;
  seedS: number;
  seedCpuMs: number;
  heldS: number;
  held: number;
  states: Record<string, number>;
  rescuesPerS: number;
  p50Ms: number;
  p99Ms: number;
  stripeRequests: number;
  stripeByKind: Record<string, number>;
  cpuMs: { plugin: number; stripe: number; flexcharge: number };
  rss: { start: number; end: number; series: number[][] };
  dbBefore: number;
  dbAfter: number;
  tables: { name: string; bytes: number }[];
}

/** Dropping the run's database when the conductor is interrupted (the roles end on their own). */
let interruptCleanup: (() => Promise<void>) | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const cleanup = interruptCleanup ?? (async () => undefined);
    cleanup().finally(() => process.exit(130));
  });
}

async function runSize(serverUrl: string, failures: number, args: Args): Promise<SizeResult> {
  const { createStripeClient } = await import('../adapters/stripe/stripe-config.js');
  const { stripeWebhookEvents } = await import('../plugin/runtime/stripe-setup.js');
  const { createFlexChargeClient } = await import('../adapters/flexcharge/flexcharge-client.js');
  const { DEMO_CREDENTIAL } = await import('../adapters/flexcharge/sandbox/index.js');
  const { FLEXCHARGE_RESCUED_PAN } = await import('../plugin/runtime/local-subscriber.js');

  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `fcm_bench_burst_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const children: ChildProcess[] = [];
  const db = new pg.Client({ connectionString: databaseUrl });
  const cleanup = async () => {
    await db.end().catch(() => undefined);
    for (const child of children.reverse()) child.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  interruptCleanup = cleanup;
  try {
    const port = await freePort();
    const pluginUrl = `http://127.0.0.1:${port}`;
    const merchants: MerchantSpec[] = Array.from({ length: args.merchants - 1 }, (_, i) => ({
      id: `bench-m${i + 2}`,
      appKey: `bench-m${i + 2}/app-key-${randomBytes(8).toString('hex')}`,
      appSecret: `bench-m${i + 2}-app-secret-${randomBytes(16).toString('hex')}`,
      mid: randomUUID(),
      tokenizationKey: `bench-m${i + 2}-tokenization`,
      siteId: randomUUID(),
    }));

    const stripeRole = await spawnRole(
      'stripe',
      String(args.stripeLatencyMs),
      String(args.webhookConcurrency),
    );
    children.push(stripeRole.child);
    const flexchargeRole = await spawnRole(
      'flexcharge',
      String(args.flexchargeLatencyMs),
      pluginUrl,
      JSON.stringify(merchants),
    );
    children.push(flexchargeRole.child);
    const emulatorUrl = stripeRole.ready.url as string;
    const sandboxUrl = flexchargeRole.ready.baseUrl as string;
    const platform = createStripeClient({
      secretKey: stripeRole.ready.apiKey as string,
      apiBase: emulatorUrl,
    });
    const events = stripeWebhookEvents();
    const endpoint = await platform.webhookEndpoints.create({
      url: `${pluginUrl}/webhooks/stripe`,
      enabled_events: events,
    });

    const settings = {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      FLEXCHARGE_ENV: 'local',
      FLEXCHARGE_BASE_URL: sandboxUrl,
      STRIPE_SECRET_KEY: stripeRole.ready.apiKey as string,
      STRIPE_API_BASE: emulatorUrl,
      STRIPE_WEBHOOK_SECRET: endpoint.secret as string,
      ADMIN_TOKEN,
      // Shared by every instance: each reads the credentials another stored.
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SANDBOX_DECISION_DELAY_SECONDS: String(DECISION_DELAY_MS / 1000),
    };
    const plugins: ChildProcess[] = [];
    const first = await spawnRole('plugin', JSON.stringify({ ...settings, PORT: String(port) }));
    children.push(first.child);
    plugins.push(first.child);

    // Every merchant: a Stripe account of its own with an endpoint, and a FlexCharge account, stored
    // through the admin API as a partner platform would; the first is the one the environment names.
    const accounts: { stripe: typeof platform; account: string | null; token: string }[] = [];
    const tokenize = async (cred: Omit<MerchantSpec, 'id' | 'siteId'>) => {
      const client = createFlexChargeClient({
        baseUrl: sandboxUrl,
        environment: 'sandbox',
        credentials: { appKey: cred.appKey, appSecret: cred.appSecret },
        mid: cred.mid,
        tokenizationKey: cred.tokenizationKey,
      });
      const card = { first_name: 'Jenny', last_name: 'Rosen', month: '12', year: '2030' };
      const { token } = await client.tokenize({
        payment_method: { credit_card: { ...card, number: FLEXCHARGE_RESCUED_PAN } },
      });
      return token;
    };
    accounts.push({ stripe: platform, account: null, token: await tokenize(DEMO_CREDENTIAL) });
    const call = (method: string, path: string, body: object) =>
      json(`${pluginUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
    for (const m of merchants) {
      const created = await json(`${emulatorUrl}/_emulator/accounts`, { method: 'POST', body: '{}' });
      const stripe = createStripeClient({ secretKey: created.secret_key as string, apiBase: emulatorUrl });
      const own = await stripe.webhookEndpoints.create({
        url: `${pluginUrl}/webhooks/stripe/${m.id}`,
        enabled_events: events,
      });
      await call('PUT', `/admin/merchants/${m.id}`, { name: m.id });
      await call('PUT', `/admin/merchants/${m.id}/credentials/sandbox`, {
        appKey: m.appKey,
        appSecret: m.appSecret,
        mid: m.mid,
        defaultSiteId: m.siteId,
      });
      await call('PUT', `/admin/merchants/${m.id}/engines/stripe`, {
        apiKey: created.secret_key,
        webhookSecret: own.secret,
      });
      await call('PUT', `/admin/merchants/${m.id}/flows/mit`, { mode: 'on', environment: 'sandbox' });
      accounts.push({ stripe, account: created.id as string, token: await tokenize(m) });
    }
    for (let i = 1; i < args.instances; i++) {
      const other = await spawnRole('plugin', JSON.stringify({ ...settings, PORT: '0' }));
      children.push(other.child);
      plugins.push(other.child);
    }

    await db.connect();
    const dbSize = async () =>
      Number((await db.query('select pg_database_size(current_database()) as n')).rows[0].n);
    const stats = () => ({
      plugins: plugins.map((p) => procStats(p.pid as number)),
      stripe: procStats(stripeRole.child.pid as number),
      flexcharge: procStats(flexchargeRole.child.pid as number),
    });
    const dbBefore = await dbSize();

    // The burst: each merchant's share of the renewals declines at once.
    const prices = await Promise.all(
      accounts.map(({ stripe }) =>
        stripe.prices.create({
          currency: 'eur',
          unit_amount: 2900,
          recurring: { interval: 'month' },
          product_data: { name: 'Pro plan' },
        }),
      ),
    );
    stripeRole.child.send('reset');
    // Every merchant's share is created while deliveries wait, so all the failures go out together.
    await json(`${emulatorUrl}/_emulator/webhooks/pause`, { method: 'POST', body: '{}' });
    const seedStarted = performance.now();
    const seedCpuBefore = procStats(stripeRole.child.pid as number).cpuMs;
    for (const [i, a] of accounts.entries()) {
      const count = Math.floor(failures / accounts.length) + (i < failures % accounts.length ? 1 : 0);
      await json(`${emulatorUrl}/_emulator/bulk/failed_renewals${a.account ? `?account=${a.account}` : ''}`, {
        method: 'POST',
        body: JSON.stringify({
          count,
          price: prices[i]?.id,
          decline_code: 'insufficient_funds',
          payment_method_metadata: { flexcharge_token: a.token },
        }),
      });
    }
    const seedS = (performance.now() - seedStarted) / 1000;
    const seedCpuMs = procStats(stripeRole.child.pid as number).cpuMs - seedCpuBefore;
    const before = stats();
    await json(`${emulatorUrl}/_emulator/webhooks/resume`, { method: 'POST', body: '{}' });
    const started = performance.now();
    const series: number[][] = plugins.map(() => []);
    let counts: Record<string, number> = {};
    let lastProgress = started;
    let lastDone = -1;
    for (;;) {
      const s = stats();
      for (const [i, p] of s.plugins.entries()) series[i]?.push(p.rssMb);
      const rows = (
        await db.query('select state, count(*)::int as n from flexcharge_mit.rescues group by state')
      ).rows as { state: string; n: number }[];
      counts = Object.fromEntries(rows.map((r) => [r.state, r.n]));
      const held = counts.held ?? 0;
      const open = ['received', 'evaluating', 'holding'].reduce((sum, k) => sum + (counts[k] ?? 0), 0);
      const total = rows.reduce((sum, r) => sum + r.n, 0);
      process.stdout.write(
        `\r${failures} failures: ${((performance.now() - started) / 1000).toFixed(0)} s  held ${held}  in progress ${open}  rescues ${total}   `,
      );
      if (held >= failures) break;
      const done = held + (total - held - open);
      if (done !== lastDone) {
        lastDone = done;
        lastProgress = performance.now();
      }
      // Stuck (every rescue settled elsewhere, or nothing moves): report what there is.
      if (total >= failures && open === 0) break;
      if (performance.now() - lastProgress > args.timeoutS * 1000) break;
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    const heldS = (performance.now() - started) / 1000;
    process.stdout.write('\n');
    const after = stats();
    const requests = await ask(stripeRole.child, 'requests', (m) =>
      'requests' in m ? m.requests : undefined,
    );

    // Webhook to held: from the stored `invoice.payment_failed` to when FlexCharge took the order.
    const latency = (
      await db.query(`
        select percentile_cont(0.5) within group (order by ms) as p50,
               percentile_cont(0.99) within group (order by ms) as p99
        from (
          select extract(epoch from (r.handed_off_at - min(e.received_at))) * 1000 as ms
          from flexcharge_mit.rescues r
          join flexcharge_mit.inbox_events e
            on e.merchant_id = r.merchant_id and e.event_type = 'invoice.payment_failed'
           and e.payload->'data'->'object'->>'id' = r.invoice_id
          where r.handed_off_at is not null
          group by r.id, r.handed_off_at
        ) t`)
    ).rows[0] as { p50: number | null; p99: number | null };
    const dbAfter = await dbSize();
    const tables = (
      await db.query(`
        select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'flexcharge_mit' and c.relkind = 'r'
        order by bytes desc limit 6`)
    ).rows.map((r: { name: string; bytes: string }) => ({ name: r.name, bytes: Number(r.bytes) }));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const held = counts.held ?? 0;
    return {
      failures,
      seedS,
      seedCpuMs,
      heldS,
      held,
      states: counts,
      rescuesPerS: held / heldS,
      p50Ms: Number(latency.p50 ?? Number.NaN),
      p99Ms: Number(latency.p99 ?? Number.NaN),
      stripeRequests: requests.total,
      stripeByKind: requests.byKind,
      cpuMs: {
        plugin: sum(after.plugins.map((p) => p.cpuMs)) - sum(before.plugins.map((p) => p.cpuMs)),
        stripe: after.stripe.cpuMs - before.stripe.cpuMs,
        flexcharge: after.flexcharge.cpuMs - before.flexcharge.cpuMs,
      },
      rss: {
        start: sum(before.plugins.map((p) => p.rssMb)),
        end: sum(after.plugins.map((p) => p.rssMb)),
        series,
      },
      dbBefore,
      dbAfter,
      tables,
    };
  } finally {
    interruptCleanup = null;
    await cleanup();
  }
}

function report(r: SizeResult, args: Args): void {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const per = (ms: number) => (ms / Math.max(1, r.held)).toFixed(2);
  console.log(
    `\nburst of ${r.failures} failed renewals, ${args.instances} plugin instance(s), ${args.merchants} merchant(s), stripe +${args.stripeLatencyMs} ms, flexcharge +${args.flexchargeLatencyMs} ms`,
  );
  console.log(
    `  seeded by the emulator's fast path in ${r.seedS.toFixed(1)} s, ${r.seedCpuMs.toFixed(0)} ms of its CPU (not counted below)`,
  );
  console.log(
    `  held ${r.held}/${r.failures} in ${r.heldS.toFixed(1)} s: ${r.rescuesPerS.toFixed(1)} rescues/s; webhook to held p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms`,
  );
  const others = Object.entries(r.states).filter(([state]) => state !== 'held');
  if (others.length) console.log(`  not held: ${others.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  console.log(
    `  Stripe requests: ${r.stripeRequests} (${(r.stripeRequests / Math.max(1, r.held)).toFixed(1)} per rescue); most: ${Object.entries(
      r.stripeByKind,
    )
      .slice(0, 5)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  CPU ms per rescue: plugin ${per(r.cpuMs.plugin)}, Stripe emulator ${per(r.cpuMs.stripe)}, FlexCharge sandbox ${per(r.cpuMs.flexcharge)}`,
  );
  r.rss.series.forEach((series, i) => {
    const step = Math.max(1, Math.ceil(series.length / 12));
    const shown = series.filter((_, j) => j % step === 0 || j === series.length - 1);
    console.log(`  plugin ${i} RSS MB, every ${step} s: ${shown.map((v) => v.toFixed(0)).join(' ')}`);
  });
  console.log(
    `  database ${mb(r.dbBefore)} MB → ${mb(r.dbAfter)} MB (${((r.dbAfter - r.dbBefore) / 1024 / Math.max(1, r.held)).toFixed(1)} kB per rescue); largest: ${r.tables
      .map((t) => `${t.name} ${mb(t.bytes)} MB`)
      .join(', ')}`,
  );
}

async function conduct(args: Args): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('DATABASE_URL must name a PostgreSQL server (the bench makes its own databases)');
  const results: SizeResult[] = [];
  for (const size of args.sizes) {
    const result = await runSize(serverUrl, size, args);
    report(result, args);
    results.push(result);
  }
  const r = results[results.length - 1] as SizeResult;
  const per = (ms: number) => (ms / Math.max(1, r.held)).toFixed(2);
  const bySize = (pick: (x: SizeResult) => string) => results.map(pick).join(',');
  const growth =
    results.length > 1
      ? ` sizes=${bySize((x) => String(x.failures))} rescues_per_s_by_size=${bySize((x) => x.rescuesPerS.toFixed(1))} p99_ms_by_size=${bySize((x) => x.p99Ms.toFixed(0))} rss_mb_end_by_size=${bySize((x) => x.rss.end.toFixed(0))} db_kb_per_rescue_by_size=${bySize((x) => ((x.dbAfter - x.dbBefore) / 1024 / Math.max(1, x.held)).toFixed(1))}`
      : '';
  console.log(
    `BENCH burst failures=${r.failures} instances=${args.instances} merchants=${args.merchants} held=${r.held} held_s=${r.heldS.toFixed(1)} rescues_per_s=${r.rescuesPerS.toFixed(1)} p50_ms=${r.p50Ms.toFixed(0)} p99_ms=${r.p99Ms.toFixed(0)} stripe_req_per_rescue=${(r.stripeRequests / Math.max(1, r.held)).toFixed(1)} cpu_ms_per_rescue_plugin=${per(r.cpuMs.plugin)} cpu_ms_per_rescue_stripe=${per(r.cpuMs.stripe)} cpu_ms_per_rescue_flexcharge=${per(r.cpuMs.flexcharge)} rss_mb_start=${r.rss.start.toFixed(0)} rss_mb_end=${r.rss.end.toFixed(0)} db_mb_before=${(r.dbBefore / 1048576).toFixed(1)} db_mb_after=${(r.dbAfter / 1048576).toFixed(1)} db_kb_per_rescue=${((r.dbAfter - r.dbBefore) / 1024 / Math.max(1, r.held)).toFixed(1)}${growth}`,
  );
}

const [role, ...rest] = process.argv.slice(2);
// A role ends with its conductor, however that ended (Ctrl-C included).
if (role) process.on('disconnect', () => process.exit(0));
if (role === 'stripe') await serveStripe(Number(rest[0]), Number(rest[1]));
else if (role === 'flexcharge')
  await serveFlexCharge(Number(rest[0]), rest[1] as string, JSON.parse(rest[2] as string) as MerchantSpec[]);
else if (role === 'plugin') await servePlugin(JSON.parse(rest[0] as string) as Record<string, string>);
else {
  await conduct(parseArgs(process.argv.slice(2)));
  process.exit(0);
}
