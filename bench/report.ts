// Reporting benchmark: a year of rescues (1,000,000 by default) over many merchants, stored in the
// plugin's own tables, then the finance surface measured through the plugin's HTTP API served by a
// process of its own, as in production: the monthly report of one merchant and of all merchants, the
// JSON ledger page by cursor at the start of the year and deep into it, and the whole year's CSV
// export streamed to a client while the server's peak RSS is read from /proc. The report's and the
// ledger's SQL (captured from the plugin's own query builders) is printed with EXPLAIN (ANALYZE,
// BUFFERS). With several sizes the table is refilled at each, to see how the figures grow.
// Prints the figures and one summary line per size:
//   BENCH report rows=… report_merchant_p50_ms=… report_merchant_p99_ms=… report_all_p50_ms=… …
//
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/report.ts
//   [--rows 1000000 | --sizes 100000,1000000] [--runs 30] [--merchants 40] [--no-explain]
//   [--drop-index NAME,...] (dropped after migrating, to compare the plans without an index)
//   [--keep] (keeps the database, filled at the last size, to study its plans with psql)
//   [--server-heap MB] (the server's --max-old-space-size: how little heap the export needs)
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { INELIGIBLE_REASONS, type RescueState } from '../plugin/core/rescue-states.js';
import { ledgerFilterOf } from '../plugin/reporting/ledger-filter.js';
import { forEachLedgerBatch, ledgerPage } from '../plugin/storage/ledger-query.js';
import { migrateToLatest } from '../plugin/storage/migrate.js';
import { loadReport } from '../plugin/storage/report-query.js';
import type { Database } from '../plugin/storage/schema.js';
import { DECLINES } from '../test/support/ledger-fixture.js';

const SELF = fileURLToPath(import.meta.url);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
/** The year of rescues; the month measured is in its middle. */
const YEAR_FROM = '2025-11-01';
const YEAR_TO = '2026-10-31';
const MONTH = { from: '2026-05-01', to: '2026-05-31' };
/** Where the deep ledger page starts: nine tenths into the year. */
const DEEP_FROM = '2026-09-20';

interface Args {
  sizes: number[];
  runs: number;
  merchants: number;
  explain: boolean;
  dropIndexes: string[];
  keep: boolean;
  serverHeapMb: number | null;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? (argv[i + 1] as string) : fallback;
  };
  return {
    sizes: value('sizes', value('rows', '1000000')).split(',').map(Number),
    runs: Number(value('runs', '30')),
    merchants: Number(value('merchants', '40')),
    explain: !argv.includes('--no-explain'),
    dropIndexes: value('drop-index', '').split(',').filter(Boolean),
    keep: argv.includes('--keep'),
    serverHeapMb: argv.includes('--server-heap') ? Number(value('server-heap', '')) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The server role: the plugin as `npm start` runs it (local defaults, worker off so only the
// requests measured use the database), in a child process whose memory the conductor reads.

async function servePlugin(databaseUrl: string): Promise<void> {
  const { loadConfig } = await import('../plugin/config/load-config.js');
  const { silentLogger } = await import('../plugin/core/logger.js');
  const { startPlugin } = await import('../plugin/runtime/start-plugin.js');
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    FLEXCHARGE_ENV: 'local',
    ADMIN_TOKEN,
  });
  const plugin = await startPlugin(config, { logger: silentLogger, startWorker: false });
  process.send?.({ ready: plugin.url });
}

/** Node options of the server processes (`--server-heap`). */
const serverNodeOptions: string[] = [];

function spawnServer(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(SELF, ['serve', databaseUrl], {
    execArgv: ['--import', 'tsx', ...serverNodeOptions],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready`)));
    child.on('message', (message: { ready: string }) => resolve({ child, url: message.ready }));
  });
}

/** A field of /proc/<pid>/status in MB (VmRSS: now; VmHWM: the peak so far). */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return kb / 1024;
}

// ---------------------------------------------------------------------------------------------
// The ledger, filled in SQL. Rows arrive in failure-time order over the year, as they do in
// production. Merchants are skewed (a few large, a long tail: merchant k of n gets a share of
// sqrt((k+1)/n) - sqrt(k/n), so the largest has about a sixth of all rows), each with one to four
// sites and descriptors; flows, channels, currencies, environments, modes and states in the
// proportions of the test fixture (test/support/ledger-fixture.ts).

/** The fixture's live states and weights (shadow rows, one in ten, are `shadowed`). */
const LIVE_STATES: [RescueState, number][] = [
  ['ineligible', 15],
  ['recovered', 28],
  ['released', 18],
  ['declined', 7],
  ['cancelled', 7],
  ['conflict', 3],
  ['received', 1],
  ['evaluating', 2],
  ['held', 8],
  ['challenged', 2],
  ['approved', 2],
  ['releasing', 1],
  ['cancelling', 1],
  ['refunding', 1],
  ['needs_attention', 4],
];
const DECLINE_WEIGHTS: Record<keyof typeof DECLINES & string, number> = {
  insufficient_funds: 40,
  do_not_honor: 20,
  generic_decline: 20,
  expired_card: 8,
  card_velocity_exceeded: 4,
  try_again_later: 8,
};
const THROUGH_A_HOLD = ['held', 'challenged', 'released', 'releasing', 'cancelling', 'recovered', 'approved'];
const NOT_FINAL = ['received', 'evaluating', 'held', 'challenged', 'approved', 'releasing'];

const lit = (v: string) => `'${v.replaceAll("'", "''")}'`;
const list = (values: string[]) => values.map(lit).join(', ');

/** `case when u < c1 then v1 ...`: one of the weighted values, by a uniform `u`. */
function weightedCase(u: string, weights: [string, number][]): string {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let cumulative = 0;
  const whens = weights.map(([v, w]) => {
    cumulative += w;
    return `when ${u} < ${(cumulative / total).toFixed(6)} then ${lit(v)}`;
  });
  return `case ${whens.join(' ')} else ${lit((weights.at(-1) as [string, number])[0])} end`;
}

async function createMerchants(client: pg.Client, merchants: number): Promise<void> {
  const created = `timestamptz ${lit(`${YEAR_FROM}T00:00:00Z`)}`;
  await client.query(`
    insert into flexcharge_mit.merchants (id, name, created_at, updated_at)
    select format('m%s', lpad(k::text, 3, '0')), format('Merchant %s', k), ${created}, ${created}
    from generate_series(0, ${merchants - 1}) k`);
  await client.query(`
    insert into flexcharge_mit.merchant_sites (merchant_id, url, statement_descriptor, created_at, updated_at)
    select format('m%s', lpad(k::text, 3, '0')), format('https://site%s.m%s.test', n, k),
           format('M%s* SITE%s', k, n), ${created}, ${created}
    from generate_series(0, ${merchants - 1}) k, generate_series(0, k % 4) n`);
}

/** Replaces the ledger with `rows` rescues over the year, in batches (one statement each). */
async function fillLedger(client: pg.Client, rows: number, merchants: number): Promise<void> {
  await client.query('truncate flexcharge_mit.rescue_events, flexcharge_mit.rescues');
  await client.query(`drop table if exists bench_sites;
    create temp table bench_sites as
      select (substr(merchant_id, 2))::int as m, row_number() over (partition by merchant_id order by url) - 1 as n,
             count(*) over (partition by merchant_id) as of, id, url
      from flexcharge_mit.merchant_sites where merchant_id ~ '^m[0-9]+$';
    analyze bench_sites`);
  const declineCodes = Object.entries(DECLINE_WEIGHTS) as [string, number][];
  const messages = Object.entries(DECLINES)
    .map(([code, message]) => `when ${lit(code)} then ${lit(message)}`)
    .join(' ');
  const reasons = INELIGIBLE_REASONS as readonly string[];
  const batch = 250_000;
  for (let first = 0; first < rows; first += batch) {
    const last = Math.min(rows, first + batch) - 1;
    await client.query(`select setseed(${((first / rows) * 0.9).toFixed(6)})`);
    await client.query(`
      with g as (
        select i,
          timestamptz ${lit(`${YEAR_FROM}T00:00:00Z`)}
            + ((i + random()) / ${rows}) * interval '365 days' as failed_at,
          floor(${merchants} * power(random(), 2))::int as m,
          random() as u_site, random() as u_flow, random() as u_env, random() as u_shadow,
          random() as u_state, random() as u_cur, random() as u_amount, random() as u_code,
          random() as u_extra, random() as u_reason
        from generate_series(${first}, ${last}) i
        offset 0
      ), h as (
        select g.*,
          ${weightedCase('u_flow', [
            ['mit', 6],
            ['cit_website', 3],
            ['cit_call_center', 1],
          ])} as flow,
          case when u_shadow < 0.1 then 'shadowed' else ${weightedCase('u_state', LIVE_STATES)} end as state,
          case when u_code < 0.03 then null else ${weightedCase('u_code', declineCodes)} end as decline_code
        from g offset 0
      ), r as (
        select h.*, s.id as site_id, s.url as site_url,
          state = 'recovered' and u_extra < 0.1 as approved_at_once,
          (state = 'recovered' and u_extra >= 0.1 or state = any(array[${list(THROUGH_A_HOLD.filter((s) => s !== 'recovered'))}, 'refunding', 'conflict']))
            or (state = 'cancelled' and u_extra < 0.5) as handed,
          (5 + floor(u_amount * 396))::bigint * 100 + (array[0, 0, 49, 99])[1 + i % 4] as amount
        from h
        left join bench_sites s on s.m = h.m and h.u_site < 0.96 and s.n = floor(h.u_site / 0.96 * s.of)
      )
      insert into flexcharge_mit.rescues (
        merchant_id, engine, invoice_id, subscription_id, customer_id, state, ineligible_reason, amount,
        currency, failed_at, decline_code, decline_message, site, site_id, flow, order_source, environment,
        mode, flexcharge_order_id, confirmation_id, handed_off_at, outcome_at, collected_amount,
        write_back_reference, refund_reference, refunded_at, written_back_at, next_action_at, created_at,
        updated_at)
      select format('m%s', lpad(m::text, 3, '0')), 'stripe', format('in_bench_%s', i),
        case when flow = 'mit' then format('sub_%s', i % 50000) end, format('cus_%s', i % 80000),
        state,
        case when state = 'ineligible' then (array[${list([...reasons])}])[1 + floor(u_reason * ${reasons.length})::int] end,
        amount, case when u_cur < 0.7 then 'usd' else 'eur' end, failed_at, decline_code,
        case decline_code ${messages} end,
        site_url, site_id, flow,
        case flow when 'cit_website' then 'website' when 'cit_call_center' then 'call_center' end,
        case when u_env < 0.8 then 'production' else 'sandbox' end,
        case when state = 'shadowed' then 'shadow' when state = 'ineligible' and u_extra < 0.5 then null else 'on' end,
        case when handed or approved_at_once then format('ord_%s', i) end,
        case when state in ('recovered', 'conflict') then format('conf_%s', i) end,
        case when handed then failed_at + interval '2 minutes' end,
        case when state <> all(array[${list([...NOT_FINAL, 'ineligible', 'shadowed'])}]) then failed_at + interval '1 day' end,
        case when state in ('recovered', 'conflict') then case when u_extra > 0.9 then amount - 100 else amount end end,
        case when state = 'recovered' then format('inpay_%s', i) end,
        case when state = 'conflict' then format('rf_%s', i) end,
        case when state = 'conflict' then failed_at + interval '25 hours' end,
        case when state = 'recovered' then failed_at + interval '1 day' end,
        case when state = any(array[${list(NOT_FINAL)}]) then failed_at + interval '1 hour' end,
        failed_at, failed_at + interval '26 hours'
      from r`);
    process.stdout.write(`  filled ${last + 1} of ${rows} rows\r`);
  }
  process.stdout.write('\n');
  await client.query('vacuum analyze flexcharge_mit.rescues');
}

// ---------------------------------------------------------------------------------------------
// Measuring.

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Answer {
  status: number;
  body: Buffer;
}

function get(base: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

interface Timing {
  name: string;
  p50: number;
  p99: number;
  rows: number;
}

/** `runs` requests one after another (after two to warm), each timed end to end. */
async function timed(base: string, name: string, path: string, runs: number): Promise<Timing> {
  const once = async () => {
    const t = performance.now();
    const res = await get(base, path);
    if (res.status !== 200)
      throw new Error(`${path}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    return { ms: performance.now() - t, body: JSON.parse(res.body.toString('utf8')) };
  };
  await once();
  const { body } = await once();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await once()).ms);
  ms.sort((a, b) => a - b);
  const rows = body.report
    ? body.report.totals.failures + body.report.totals.shadow.wouldHaveBeenHandedOver
    : body.rows.length;
  return { name, p50: percentile(ms, 50), p99: percentile(ms, 99), rows };
}

interface Export {
  rows: number;
  bytes: number;
  seconds: number;
  baselineMb: number;
  peakMb: number;
}

/** Streams the whole year's CSV from a fresh server while sampling its RSS. */
async function measureExport(databaseUrl: string): Promise<Export> {
  const server = await spawnServer(databaseUrl);
  const pid = server.child.pid as number;
  try {
    // Settle after start-up, so the baseline is the idle server's.
    await get(server.url, `/admin/ledger?from=${MONTH.from}&to=${MONTH.to}&limit=1`);
    await new Promise((r) => setTimeout(r, 1000));
    const baselineMb = memoryMb(pid, 'VmRSS');
    let sampledPeak = 0;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, memoryMb(pid, 'VmRSS'));
    }, 50);
    const start = performance.now();
    const { rows, bytes } = await new Promise<{ rows: number; bytes: number }>((resolve, reject) => {
      http
        .get(
          `${server.url}/admin/ledger.csv?from=${YEAR_FROM}&to=${YEAR_TO}`,
          { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
          (res) => {
            if (res.statusCode !== 200) reject(new Error(`ledger.csv: ${res.statusCode}`));
            let lines = 0;
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
            });
            res.on('end', () => resolve({ rows: lines - 1, bytes: size }));
            res.on('error', reject);
          },
        )
        .on('error', reject);
    });
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    return { rows, bytes, seconds, baselineMb, peakMb: Math.max(sampledPeak, memoryMb(pid, 'VmHWM')) };
  } finally {
    server.child.kill();
  }
}

/**
 * The SQL the plugin runs for a report, a ledger page and the export, captured from its own query
 * builders (a Kysely logger), then explained with the same parameters.
 */
async function explainAll(databaseUrl: string, merchant: string, deepCursor: string): Promise<void> {
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  const now = new Date(`${YEAR_TO}T12:00:00Z`);
  const filter = (query: Record<string, string>) => ledgerFilterOf(query, { merchantId: null }, now);
  const cases: [string, () => Promise<unknown>][] = [
    [
      `report, merchant ${merchant}, ${MONTH.from}..${MONTH.to}`,
      () => loadReport(db, { ...filter({ ...MONTH, merchant }), environment: 'production' }),
    ],
    [
      `report, all merchants, ${MONTH.from}..${MONTH.to}`,
      () => loadReport(db, { ...filter(MONTH), environment: 'production' }),
    ],
    [
      'ledger page, all merchants, first',
      () => ledgerPage(db, filter({ from: YEAR_FROM, to: YEAR_TO }), { limit: 100 }),
    ],
    [
      'ledger page, all merchants, deep (cursor)',
      () => ledgerPage(db, filter({ from: YEAR_FROM, to: YEAR_TO }), { cursor: deepCursor, limit: 100 }),
    ],
    [
      `ledger page, merchant ${merchant}, deep (cursor)`,
      () =>
        ledgerPage(db, filter({ from: YEAR_FROM, to: YEAR_TO, merchant }), {
          cursor: deepCursor,
          limit: 100,
        }),
    ],
    [
      'CSV export, all merchants, the year (the cursor query, run to its end)',
      () =>
        forEachLedgerBatch({ db, kind: 'postgres' }, filter({ from: YEAR_FROM, to: YEAR_TO }), async () => {
          throw new Error('captured');
        }).catch(() => undefined),
    ],
  ];
  try {
    for (const [title, run] of cases) {
      captured.length = 0;
      await run();
      const query = captured.find((q) => /\bfrom "flexcharge_mit"\."rescues"/.test(q.sql));
      if (!query) throw new Error(`no query captured for ${title}`);
      const text = query.sql.replace(/^declare \w+ no scroll cursor for /, '');
      // Explained as it ran: in a transaction, with the settings the plugin made for it.
      const settings = captured.filter((q) => /^set local /.test(q.sql)).map((q) => q.sql);
      const connection = await pool.connect();
      try {
        await connection.query('begin');
        for (const setting of settings) await connection.query(setting);
        const { rows } = await connection.query(`explain (analyze, buffers) ${text}`, [...query.parameters]);
        await connection.query('rollback');
        console.log(
          `\n-- EXPLAIN (ANALYZE, BUFFERS): ${title}${settings.length ? ` (${settings.join('; ')})` : ''}`,
        );
        for (const r of rows) console.log(r['QUERY PLAN']);
      } finally {
        connection.release();
      }
    }
  } finally {
    await db.destroy();
  }
}

async function measureSize(rows: number, args: Args, client: pg.Client, databaseUrl: string): Promise<void> {
  console.log(`\n== ${rows} rescues`);
  const fillStart = performance.now();
  await fillLedger(client, rows, args.merchants);
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const { rows: sizes } = await client.query(`select
      pg_size_pretty(pg_table_size('flexcharge_mit.rescues')) as heap,
      pg_size_pretty(pg_indexes_size('flexcharge_mit.rescues')) as indexes`);
  const { rows: top } = await client.query(`select merchant_id, count(*)::int as n from flexcharge_mit.rescues
      group by 1 order by 2 desc limit 1`);
  const merchant = top[0].merchant_id as string;
  console.log(
    `filled in ${fillSeconds.toFixed(1)} s; table ${sizes[0].heap}, indexes ${sizes[0].indexes}; largest merchant ${merchant} (${top[0].n} rows)`,
  );

  const server = await spawnServer(databaseUrl);
  let timings: Timing[];
  let deepCursor: string;
  try {
    const first = await get(server.url, `/admin/ledger?from=${DEEP_FROM}&to=${YEAR_TO}&limit=1`);
    deepCursor = JSON.parse(first.body.toString('utf8')).nextCursor as string;
    const cursor = encodeURIComponent(deepCursor);
    const year = `from=${YEAR_FROM}&to=${YEAR_TO}`;
    const month = `from=${MONTH.from}&to=${MONTH.to}`;
    timings = [];
    for (const [name, path] of [
      ['report, one merchant, month', `/admin/merchants/${merchant}/report?${month}`],
      ['report, all merchants, month', `/admin/report?${month}`],
      ['ledger page, all, first', `/admin/ledger?${year}&limit=100`],
      ['ledger page, all, deep', `/admin/ledger?${year}&limit=100&cursor=${cursor}`],
      ['ledger page, merchant, first', `/admin/merchants/${merchant}/ledger?${year}&limit=100`],
      [
        'ledger page, merchant, deep',
        `/admin/merchants/${merchant}/ledger?${year}&limit=100&cursor=${cursor}`,
      ],
    ] as const)
      timings.push(await timed(server.url, name, path, args.runs));
  } finally {
    server.child.kill();
  }
  const csv = await measureExport(databaseUrl);

  console.log(`\n${args.runs} requests each, one at a time (ms)`);
  console.log('request                            p50      p99   rows');
  for (const t of timings)
    console.log(
      `${t.name.padEnd(30)} ${t.p50.toFixed(1).padStart(8)} ${t.p99.toFixed(1).padStart(8)} ${String(t.rows).padStart(6)}`,
    );
  console.log(
    `CSV export of the year: ${csv.rows} rows, ${(csv.bytes / 1e6).toFixed(1)} MB in ${csv.seconds.toFixed(1)} s (${(csv.rows / csv.seconds).toFixed(0)} rows/s); server RSS ${csv.baselineMb.toFixed(0)} MB idle, ${csv.peakMb.toFixed(0)} MB peak`,
  );
  if (args.explain) await explainAll(databaseUrl, merchant, deepCursor);

  const [rm, ra, lf, ld, mf, md] = timings as [Timing, Timing, Timing, Timing, Timing, Timing];
  const f = (n: number) => n.toFixed(1);
  console.log(
    `BENCH report rows=${rows} report_merchant_p50_ms=${f(rm.p50)} report_merchant_p99_ms=${f(rm.p99)} report_all_p50_ms=${f(ra.p50)} report_all_p99_ms=${f(ra.p99)} ledger_first_p50_ms=${f(lf.p50)} ledger_deep_p50_ms=${f(ld.p50)} ledger_deep_p99_ms=${f(ld.p99)} ledger_merchant_first_p50_ms=${f(mf.p50)} ledger_merchant_deep_p50_ms=${f(md.p50)} csv_rows=${csv.rows} csv_mb=${(csv.bytes / 1e6).toFixed(1)} csv_rows_per_s=${(csv.rows / csv.seconds).toFixed(0)} csv_peak_rss_mb=${csv.peakMb.toFixed(0)} idle_rss_mb=${csv.baselineMb.toFixed(0)}`,
  );
}

async function conduct(args: Args): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('DATABASE_URL must name a PostgreSQL server (the bench makes its own database)');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `fcm_bench_report_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrateToLatest(db);
    await db.destroy();
    await client.connect();
    // The server migrates too when it starts, but a dropped index stays dropped: its migration ran.
    for (const index of args.dropIndexes) await client.query(`drop index flexcharge_mit.${index}`);
    await createMerchants(client, args.merchants);
    for (const rows of args.sizes) await measureSize(rows, args, client, databaseUrl);
  } finally {
    await client.end().catch(() => undefined);
    if (args.keep) console.log(`kept database ${name}`);
    else await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const [role, ...rest] = process.argv.slice(2);
if (role === 'serve') await servePlugin(rest[0] as string);
else {
  const args = parseArgs(process.argv.slice(2));
  if (args.serverHeapMb !== null) serverNodeOptions.push(`--max-old-space-size=${args.serverHeapMb}`);
  await conduct(args);
  process.exit(0);
}
