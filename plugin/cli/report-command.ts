import type { Config } from '../config/config-schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import { PluginError } from '../core/errors.js';
import { csvField } from '../reporting/ledger-csv.js';
import { ledgerFilterOf } from '../reporting/ledger-filter.js';
import { BREAKDOWNS, type BreakdownName, type Figures, type Report } from '../reporting/report.js';
import { BREAKDOWN_COLUMNS, BREAKDOWN_TITLES, FIGURE_LINES } from '../reporting/report-text.js';
import { type DatabaseHandle, openDatabase, targetFromConfig } from '../storage/database.js';
import { requireMerchant } from '../storage/merchant-rows.js';
import { migrateToLatest } from '../storage/migrate.js';
import { loadReport } from '../storage/report-query.js';

export const REPORT_USAGE = `usage: flexcharge-mit report [options]

  --merchant ID        one merchant (default: all, the partner's view)
  --from YYYY-MM-DD    first day of failures (default: the first of this month, UTC)
  --to YYYY-MM-DD      last day, inclusive (default: now)
  --environment ENV    production (default) or sandbox: never mixed
  --by NAME            a breakdown too: ${BREAKDOWNS.join(', ')}
  --csv                CSV instead of a table: the breakdown's rows (or the totals)`;

export interface ReportCommandDeps {
  print: (line: string) => void;
  printError?: (line: string) => void;
  /** An open database (tests); the caller closes it. */
  database?: DatabaseHandle;
  clock?: Clock;
}

const OPTIONS: Record<string, string> = {
  '--merchant': 'merchant',
  '--from': 'from',
  '--to': 'to',
  '--environment': 'environment',
};

/** `report`: the finance report in the terminal. Returns the exit code: 0 done, 1 refused, 2 usage. */
export async function runReportCommand(
  argv: readonly string[],
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  deps: ReportCommandDeps,
): Promise<number> {
  const printError = deps.printError ?? deps.print;
  const query: Record<string, string> = {};
  let by: BreakdownName | null = null;
  let csv = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      deps.print(REPORT_USAGE);
      return 0;
    }
    if (arg === '--csv') csv = true;
    else if (arg === '--by' && BREAKDOWNS.includes(argv[i + 1] as BreakdownName))
      by = argv[++i] as BreakdownName;
    else if (OPTIONS[arg] && argv[i + 1] !== undefined) query[OPTIONS[arg]] = argv[++i] as string;
    else {
      printError(`unknown or incomplete option: ${arg}\n\n${REPORT_USAGE}`);
      return 2;
    }
  }
  const database = deps.database ?? (await openDatabase(targetFromConfig(config)));
  try {
    await migrateToLatest(database.db);
    const filter = ledgerFilterOf(query, { merchantId: null }, (deps.clock ?? systemClock).now());
    if (filter.merchantId !== null) await requireMerchant(database.db, filter.merchantId);
    const report = await loadReport(database.db, {
      ...filter,
      environment: filter.environment ?? 'production',
    });
    for (const line of csv ? reportCsv(report, by) : reportTable(report, by)) deps.print(line);
    return 0;
  } catch (err) {
    if (!(err instanceof PluginError)) throw err;
    printError(err.message);
    return 1;
  } finally {
    if (!deps.database) await database.close();
  }
}

/** The totals as label/value lines, then the breakdown as aligned columns. */
export function reportTable(report: Report, by: BreakdownName | null): string[] {
  const lastDay = new Date(Date.parse(report.to) - 1).toISOString().slice(0, 10);
  const lines = [
    `Report · ${report.merchantId ?? 'all merchants'} · ${report.environment} · failures from ${report.from.slice(0, 10)} through ${lastDay} (UTC)`,
    '',
  ];
  const width = Math.max(...FIGURE_LINES.map(([label]) => label.length));
  for (const [label, value] of FIGURE_LINES) lines.push(`${label.padEnd(width)}  ${value(report.totals)}`);
  if (!by) return lines;
  const header = [BREAKDOWN_TITLES[by], ...BREAKDOWN_COLUMNS.map(([label]) => label)];
  const rows = report.by[by].map((e) => [e.label, ...BREAKDOWN_COLUMNS.map(([, v]) => v(e.figures))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  lines.push('', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line));
  return lines;
}

/** CSV: a row per breakdown entry (or one `total` row), the figures as the table writes them. */
export function reportCsv(report: Report, by: BreakdownName | null): string[] {
  const entries: { key: string | null; label: string; figures: Figures }[] = by
    ? report.by[by]
    : [{ key: 'total', label: 'total', figures: report.totals }];
  return [
    ['environment', by ?? 'scope', ...BREAKDOWN_COLUMNS.map(([label]) => label)].map(csvField).join(','),
    ...entries.map((e) =>
      [report.environment, e.label, ...BREAKDOWN_COLUMNS.map(([, v]) => v(e.figures))]
        .map(csvField)
        .join(','),
    ),
  ];
}
