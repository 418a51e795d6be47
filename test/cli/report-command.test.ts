import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runReportCommand } from '../../plugin/cli/report-command.js';
import { ManualClock } from '../../plugin/core/clock.js';
import type { LedgerFilter } from '../../plugin/reporting/ledger-filter.js';
import { formatAmounts, formatRate } from '../../plugin/reporting/report-text.js';
import { type DatabaseHandle, openDatabase } from '../../plugin/storage/database.js';
import { forEachLedgerBatch, type LedgerRow, ledgerPage } from '../../plugin/storage/ledger-query.js';
import { migrateToLatest } from '../../plugin/storage/migrate.js';
import { expectedFigures, parseCsv } from '../reporting/ledger-recount.js';
import { generateLedgerMonth } from '../support/ledger-fixture.js';

// PGlite on purpose: the plugin runs on it without DATABASE_URL, and it has no server-side cursor
// to share (one session), so the CSV export reads keyset pages there.
describe('flexcharge-mit report, and the ledger on PGlite', () => {
  let database: DatabaseHandle;
  const may: LedgerFilter = {
    merchantId: null,
    from: new Date('2026-05-01T00:00:00Z'),
    to: new Date('2026-06-01T00:00:00Z'),
  };
  before(async () => {
    database = await openDatabase({ kind: 'pglite' });
    await migrateToLatest(database.db);
    await generateLedgerMonth(database.db, { seed: 7, count: 1300 });
  });
  after(() => database.close());

  async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runReportCommand(
      argv,
      { DATA_DIR: '/nonexistent' },
      {
        print: (l) => out.push(l),
        printError: (l) => err.push(l),
        database,
        clock: new ManualClock('2026-06-10T00:00:00Z'),
      },
    );
    return { code, out, err: err.join('\n') };
  }

  async function pagedRows(filter: LedgerFilter): Promise<LedgerRow[]> {
    const rows: LedgerRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await ledgerPage(database.db, filter, { cursor, limit: 333 });
      rows.push(...page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return rows;
  }

  it('streams the same rows as the pages, in batches', async () => {
    const streamed: LedgerRow[] = [];
    let batches = 0;
    await forEachLedgerBatch(database, may, async (rows) => {
      batches++;
      streamed.push(...rows);
    });
    const paged = await pagedRows(may);
    assert.ok(paged.length > 1200);
    assert.ok(batches >= 3, `${batches} batches`);
    assert.deepEqual(streamed, paged);
  });

  it('prints the totals of a merchant and environment, as the ledger recounts them', async () => {
    const { code, out, err } = await run([
      '--merchant',
      'acme',
      '--from',
      '2026-05-01',
      '--to',
      '2026-05-31',
      '--environment',
      'sandbox',
      '--by',
      'declineCode',
    ]);
    assert.equal(code, 0, err);
    const rows = await pagedRows({ ...may, merchantId: 'acme', environment: 'sandbox' });
    const expected = expectedFigures(rows as unknown as Record<string, unknown>[]);
    const text = out.join('\n');
    assert.match(out[0] ?? '', /acme · sandbox · failures from 2026-05-01 through 2026-05-31/);
    assert.match(text, new RegExp(`^Failures seen +${expected.failures}$`, 'm'));
    assert.ok(text.includes(`${expected.recovered} (${formatAmounts(expected.recoveredAmount)})`));
    assert.match(text, new RegExp(`^Rescue rate +${formatRate(expected.rescueRate)}$`, 'm'));
    const insufficient = rows.filter((r) => r.declineCode === 'insufficient_funds');
    const line = out.find((l) => l.startsWith('insufficient_funds')) ?? '';
    assert.equal(Number(line.split(/ +/)[1]), expectedFigures(insufficient as never).failures);
  });

  it('writes a breakdown as CSV, and refuses bad options', async () => {
    const { code, out } = await run(['--from', '2026-05-01', '--to', '2026-05-31', '--by', 'day', '--csv']);
    assert.equal(code, 0);
    const [header, ...days] = parseCsv(`${out.join('\r\n')}\r\n`);
    assert.deepEqual(header?.slice(0, 3), ['environment', 'day', 'Failures']);
    assert.equal(days.length, 31);
    const rows = await pagedRows({ ...may, environment: 'production' });
    const failures = days.reduce((s, d) => s + Number(d[2]), 0);
    assert.equal(failures, expectedFigures(rows as never).failures);
    assert.equal((await run(['--by', 'colour'])).code, 2);
    assert.equal((await run(['--environment', 'staging'])).code, 1);
    assert.equal((await run(['--merchant', 'nobody'])).code, 1);
  });
});
