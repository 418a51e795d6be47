import { LEDGER_COLUMNS, type LedgerRow } from '../storage/ledger-query.js';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text starting with
 * `=`, `+`, `-` or `@` is prefixed with `'`, so a spreadsheet opening the export never runs a
 * descriptor or a decline message as a formula; numbers are written as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line, CRLF-terminated as RFC 4180 has it. */
export function csvHeader(): string {
  return `${LEDGER_COLUMNS.join(',')}\r\n`;
}

/** One ledger row as a CSV line, in `LEDGER_COLUMNS` order. */
export function csvLine(row: LedgerRow): string {
  return `${LEDGER_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}
