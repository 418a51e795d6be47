import { createHash } from 'node:crypto';

/**
 * What PostgreSQL cannot take: a NUL in `text` or `jsonb`, a lone UTF-16 surrogate in `jsonb`,
 * nesting deeper than its parser's stack (and, before that, `JSON.stringify`'s), and a key too long
 * for a btree index. A signed webhook carrying any of these would fail its insert on every
 * redelivery, so it is made storable here instead, and the signed bytes are kept beside the copy.
 */

/** Real Stripe and FlexCharge events nest a dozen levels at most. */
export const MAX_STORED_DEPTH = 64;
/** Engine event ids are tens of characters; a btree entry must stay well under ~2.7 kB. */
export const MAX_EVENT_ID_BYTES = 255;
export const DEEPER_THAN_STORED = `[nested deeper than ${MAX_STORED_DEPTH} levels: see raw_body]`;

export interface StorableEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: object;
  /** The signed bytes, kept when the stored payload or identity is not a faithful copy of them. */
  readonly rawBody: Buffer | null;
  /** Why the event is kept but never acted on: its identity could not be stored as sent. */
  readonly quarantineReason: string | null;
}

export function prepareForStorage(event: {
  eventId: string;
  eventType: string;
  payload: object;
  rawBody: Buffer;
}): StorableEvent {
  const sanitized = { changed: false };
  const payload = storableValue(event.payload, 0, sanitized) as object;
  const idProblem = identityProblem(event.eventId);
  const typeProblem = identityProblem(event.eventType);
  const quarantineReason = idProblem
    ? `event id ${idProblem}`
    : typeProblem
      ? `event type ${typeProblem}`
      : null;
  return {
    // A digest of the id as sent keeps redeliveries of the same event on the same row.
    eventId: idProblem ? `sha256:${digest(event.eventId)}` : event.eventId,
    eventType: typeProblem ? `sha256:${digest(event.eventType)}` : event.eventType,
    payload,
    rawBody: sanitized.changed || quarantineReason ? event.rawBody : null,
    quarantineReason,
  };
}

function identityProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'is not well-formed Unicode';
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_EVENT_ID_BYTES) return `is ${bytes} bytes long (at most ${MAX_EVENT_ID_BYTES} are kept)`;
  return null;
}

// The UTF-16 code units of the string, so ids differing only in unstorable characters stay apart.
function digest(value: string): string {
  return createHash('sha256').update(Buffer.from(value, 'utf16le')).digest('hex');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

function storableText(value: string, sanitized: { changed: boolean }): string {
  if (!value.includes('\u0000') && !LONE_SURROGATE.test(value)) return value;
  sanitized.changed = true;
  return value.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

// Recursion is bounded by MAX_STORED_DEPTH, so a hostile nesting cannot exhaust the stack here.
function storableValue(value: unknown, depth: number, sanitized: { changed: boolean }): unknown {
  if (typeof value === 'string') return storableText(value, sanitized);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_STORED_DEPTH) {
    sanitized.changed = true;
    return DEEPER_THAN_STORED;
  }
  if (Array.isArray(value)) return value.map((item) => storableValue(item, depth + 1, sanitized));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[storableText(key, sanitized)] = storableValue(item, depth + 1, sanitized);
  }
  return out;
}
