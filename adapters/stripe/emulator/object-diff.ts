/**
 * `data.previous_attributes` of an `*.updated` event: the old values of what changed, nested the way
 * Stripe nests them (`{status_transitions: {paid_at: null}}`). Lists and arrays are reported whole;
 * a key that did not exist before is reported as null.
 */
export function previousAttributes(before: object, after: object): Record<string, unknown> | null {
  const diff = diffObjects(before as Record<string, unknown>, after as Record<string, unknown>);
  return Object.keys(diff).length === 0 ? null : diff;
}

function diffObjects(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key];
    const now = after[key];
    if (deepEqual(was, now)) continue;
    if (isRecord(was) && isRecord(now) && was.object !== 'list') out[key] = diffObjects(was, now);
    else out[key] = was === undefined ? null : structuredClone(was);
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
