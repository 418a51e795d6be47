/**
 * The report's figures recounted from ledger rows (JSON), written apart from the plugin's report code
 * so a test compares two counts, not one count with itself. Definitions as the issue states them.
 */
export type Row = Record<string, unknown>;

const FINAL = new Set([
  'ineligible',
  'declined',
  'recovered',
  'released',
  'cancelled',
  'conflict',
  'shadowed',
]);
const APPROVED = new Set(['approved', 'recovered', 'refunding', 'conflict']);

export function expectedFigures(rows: readonly Row[]) {
  const sum = (list: readonly Row[], value: (r: Row) => number) => {
    const out: Record<string, number> = {};
    for (const r of list) {
      const currency = r.currency as string | null;
      if (currency !== null) out[currency] = (out[currency] ?? 0) + value(r);
    }
    return out;
  };
  const amount = (r: Row) => r.amount as number;
  const collected = (r: Row) => (r.collectedAmount ?? r.amount) as number;
  const live = rows.filter((r) => r.mode !== 'shadow');
  const shadowed = rows.filter((r) => r.mode === 'shadow' && r.state === 'shadowed');
  const inState = (state: string) => live.filter((r) => r.state === state);
  const handed = live.filter((r) => r.handedOffAt !== null || APPROVED.has(r.state as string));
  const ineligible = inState('ineligible');
  const byReason: Record<string, number> = {};
  for (const r of ineligible) {
    const reason = (r.ineligibleReason as string | null) ?? 'unknown';
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
  const refunded = live.filter((r) => r.refundedAt !== null);
  const recovered = inState('recovered');
  return {
    failures: live.length,
    handedOver: handed.length,
    handedOverAmount: sum(handed, amount),
    ineligible: ineligible.length,
    ineligibleByReason: byReason,
    pending: live.filter((r) => !FINAL.has(r.state as string)).length,
    recovered: recovered.length,
    recoveredAmount: sum(recovered, collected),
    expired: inState('released').length,
    declined: inState('declined').length,
    cancelled: inState('cancelled').length,
    conflicts: inState('conflict').length,
    conflictAmount: sum(inState('conflict'), collected),
    refunds: refunded.length,
    refundedAmount: sum(refunded, collected),
    rescueRate: handed.length === 0 ? null : recovered.length / handed.length,
    shadow: { wouldHaveBeenHandedOver: shadowed.length, amount: sum(shadowed, amount) },
  };
}

/** RFC 4180: fields quoted with "" escapes, CRLF line ends. */
export function parseCsv(text: string): string[][] {
  const lines: string[][] = [];
  let field = '';
  let line: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      line.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      line.push(field);
      lines.push(line);
      line = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || line.length) lines.push([...line, field]);
  return lines;
}
