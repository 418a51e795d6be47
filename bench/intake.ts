// Intake benchmark: signed `invoice.payment_failed` webhooks at rising rates against the plugin on
// PostgreSQL, and in the same run against the floor: a bare Express route that verifies the same
// signature and does one INSERT into the same database. Server, floor and load generator each run in
// a process of their own, as they would in production. Prints a table and one summary line:
//   BENCH intake plugin_rps=… floor_rps=… ratio=… p99_ms_at_500=… cpu_ms_per_req_plugin=… cpu_ratio=…
//
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/intake.ts
//   [--seconds 10] [--rates 100,250,500,1000] [--connections 20]
import { type ChildProcess, fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SELF = fileURLToPath(import.meta.url);
/** The floor's signing secret; the plugin's is its local Stripe emulator's endpoint secret. */
const SECRET = 'whsec_bench_intake_0123456789abcdef';

interface Args {
  seconds: number;
  rates: number[];
  connections: number;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? (argv[i + 1] as string) : fallback;
  };
  return {
    seconds: Number(value('seconds', '10')),
    rates: value('rates', '100,250,500,1000').split(',').map(Number),
    connections: Number(value('connections', '20')),
  };
}

// ---------------------------------------------------------------------------------------------
// Roles run in child processes: `plugin` and `floor` serve, and answer `cpu` over IPC.

type ServerMessage = { ready: string; secret: string } | { cpuMicros: number };

function answerCpu(): void {
  process.on('message', (message) => {
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ cpuMicros: usage.user + usage.system } satisfies ServerMessage);
    }
  });
}

async function servePlugin(databaseUrl: string): Promise<void> {
  const { loadConfig } = await import('../plugin/config/load-config.js');
  const { silentLogger } = await import('../plugin/core/logger.js');
  const { startPlugin } = await import('../plugin/runtime/start-plugin.js');
  // The local defaults (sandbox, emulator) start too but stay idle; the worker is off, so only the
  // intake (verify, store, answer) is measured.
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    FLEXCHARGE_ENV: 'local',
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
  });
  const plugin = await startPlugin(config, { logger: silentLogger, startWorker: false });
  answerCpu();
  process.send?.({
    ready: `${plugin.url}/webhooks/stripe`,
    secret: plugin.stripe.webhookSecret,
  } satisfies ServerMessage);
}

async function serveFloor(databaseUrl: string): Promise<void> {
  const { default: express } = await import('express');
  const { default: Stripe } = await import('stripe');
  const stripe = new Stripe('sk_test_floor');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`create table if not exists bench_floor (
    id bigserial primary key, event_id text not null unique, event_type text not null,
    payload jsonb not null, received_at timestamptz not null)`);
  const app = express();
  app.post('/webhooks/stripe', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    let event: { id: string; type: string };
    try {
      event = stripe.webhooks.constructEvent(
        req.body as Buffer,
        String(req.headers['stripe-signature']),
        SECRET,
      );
    } catch {
      res.status(400).end();
      return;
    }
    await pool.query(
      'insert into bench_floor (event_id, event_type, payload, received_at) values ($1, $2, $3, now()) on conflict do nothing',
      [event.id, event.type, event],
    );
    res.status(200).json({ received: true });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    answerCpu();
    process.send?.({
      ready: `http://127.0.0.1:${port}/webhooks/stripe`,
      secret: SECRET,
    } satisfies ServerMessage);
  });
}

// ---------------------------------------------------------------------------------------------
// Load generator (its own process): sends at a fixed rate (0 = as fast as the connections allow)
// and measures each answer from the moment it was due, so a slow server cannot hide its queue.

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
}

function failedRenewalEvent(n: number, run: string): string {
  const created = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    id: `evt_bench_${run}_${n}`,
    object: 'event',
    api_version: '2026-11-17.clover',
    created,
    type: 'invoice.payment_failed',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: `in_bench_${run}_${n}`,
        object: 'invoice',
        billing_reason: 'subscription_cycle',
        status: 'open',
        amount_due: 2900,
        currency: 'usd',
        customer: `cus_bench_${n % 1000}`,
        attempt_count: 1,
        created,
        livemode: false,
        metadata: {},
      },
    },
  });
}

function sign(body: string, secret: string): string {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

async function generateLoad(
  { url, secret }: Target,
  rate: number,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const run = randomBytes(4).toString('hex');
  const latenciesMs: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  const start = performance.now();
  const end = start + seconds * 1000;

  const send = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const body = failedRenewalEvent(sent, run);
      sent += 1;
      inFlight += 1;
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'stripe-signature': sign(body, secret),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            inFlight -= 1;
            latenciesMs.push(performance.now() - dueAt);
            if (res.statusCode === 200) ok += 1;
            else failed += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        inFlight -= 1;
        failed += 1;
        resolve();
      });
      // An answer that never comes counts as failed rather than stalling the run.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('no answer')));
      req.end(body);
    });

  if (rate === 0) {
    // Closed loop: every connection sends its next request as soon as the last is answered.
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) await send(performance.now());
      }),
    );
  } else {
    // Open loop: request i is due at start + i/rate, whatever the server's pace.
    const pending: Promise<void>[] = [];
    const interval = 1000 / rate;
    let next = start;
    while (next < end) {
      const now = performance.now();
      while (next <= now && next < end) {
        pending.push(send(next));
        next += interval;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, next - performance.now()))));
    }
    await Promise.all(pending);
  }
  agent.destroy();
  void inFlight;
  return { sent, ok, failed, seconds: (performance.now() - start) / 1000, latenciesMs };
}

// ---------------------------------------------------------------------------------------------
// The conductor.

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A webhook Stripe gives up on after about this long (it counts a failure). */
const REQUEST_TIMEOUT_MS = 10_000;

interface Target {
  url: string;
  secret: string;
}

function spawnRole(role: string, ...args: string[]): Promise<Target & { child: ChildProcess }> {
  const child = fork(SELF, [role, ...args], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before it was ready`)));
    child.on('message', (message: ServerMessage) => {
      if ('ready' in message) resolve({ child, url: message.ready, secret: message.secret });
    });
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: ServerMessage) => {
      if ('cpuMicros' in message) {
        child.off('message', onMessage);
        resolve(message.cpuMicros);
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

async function loadFrom(
  target: Target,
  rate: number,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const child = fork(
    SELF,
    ['load', target.url, target.secret, String(rate), String(seconds), String(connections)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
  });
}

interface Row {
  server: 'plugin' | 'floor';
  rate: number;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  cpuMsPerRequest: number;
}

async function measure(
  server: Row['server'],
  target: Target & { child: ChildProcess },
  rate: number,
  args: Args,
): Promise<Row> {
  const cpuBefore = await cpuOf(target.child);
  const result = await loadFrom(target, rate, args.seconds, args.connections);
  const cpuAfter = await cpuOf(target.child);
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  return {
    server,
    rate,
    rps: result.ok / result.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    failed: result.failed,
    cpuMsPerRequest: (cpuAfter - cpuBefore) / 1000 / Math.max(1, result.ok),
  };
}

async function conduct(args: Args): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('DATABASE_URL must name a PostgreSQL server (the bench makes its own databases)');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const names = { plugin: `fcm_bench_intake_${randomBytes(4).toString('hex')}`, floor: '' };
  names.floor = `${names.plugin}_floor`;
  await admin.query(`create database ${names.plugin}`);
  await admin.query(`create database ${names.floor}`);
  const urlOf = (name: string) => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const servers: ChildProcess[] = [];
  try {
    const plugin = await spawnRole('plugin', urlOf(names.plugin));
    servers.push(plugin.child);
    const floor = await spawnRole('floor', urlOf(names.floor));
    servers.push(floor.child);
    // Warm both (JIT, connection pools) before anything is counted.
    await loadFrom(plugin, 200, 2, args.connections);
    await loadFrom(floor, 200, 2, args.connections);

    const rows: Row[] = [];
    for (const rate of [...args.rates, 0]) {
      // Alternate, so drift in the machine's load touches both alike.
      rows.push(await measure('floor', floor, rate, args));
      rows.push(await measure('plugin', plugin, rate, args));
    }
    console.log(
      `\nintake, ${args.seconds} s per step, ${args.connections} connections (rate 0 = as fast as possible)`,
    );
    console.log('server  target/s  achieved/s   p50 ms   p99 ms  failed  cpu ms/req');
    for (const r of rows) {
      console.log(
        `${r.server.padEnd(7)} ${String(r.rate || 'max').padStart(8)} ${r.rps.toFixed(0).padStart(11)} ${r.p50
          .toFixed(1)
          .padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${String(r.failed).padStart(7)} ${r.cpuMsPerRequest
          .toFixed(2)
          .padStart(11)}`,
      );
    }
    const max = (server: Row['server']) => rows.find((r) => r.server === server && r.rate === 0) as Row;
    const at500 = rows.find((r) => r.server === 'plugin' && r.rate === 500);
    const ratio = max('plugin').rps / max('floor').rps;
    const cpuRatio = max('plugin').cpuMsPerRequest / max('floor').cpuMsPerRequest;
    console.log(
      `BENCH intake plugin_rps=${max('plugin').rps.toFixed(0)} floor_rps=${max('floor').rps.toFixed(0)} ratio=${ratio.toFixed(2)} p99_ms_at_500=${at500 ? at500.p99.toFixed(1) : 'n/a'} cpu_ms_per_req_plugin=${max('plugin').cpuMsPerRequest.toFixed(2)} cpu_ratio=${cpuRatio.toFixed(2)}`,
    );
  } finally {
    for (const child of servers) child.kill();
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`drop database if exists ${names.plugin} with (force)`);
    await admin.query(`drop database if exists ${names.floor} with (force)`);
    await admin.end();
  }
}

const [role, ...rest] = process.argv.slice(2);
if (role === 'plugin') await servePlugin(rest[0] as string);
else if (role === 'floor') await serveFloor(rest[0] as string);
else if (role === 'load') {
  const [url, secret, rate, seconds, connections] = rest;
  const result = await generateLoad(
    { url: url as string, secret: secret as string },
    Number(rate),
    Number(seconds),
    Number(connections),
  );
  process.send?.(result);
  process.exit(0);
} else {
  await conduct(parseArgs(process.argv.slice(2)));
  process.exit(0);
}
