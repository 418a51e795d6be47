/** Reading what FlexCharge says about a failure: error bodies, trace ids and `Retry-After`. */

/** An error body reduced to what the three shapes of contract §10 (and the envelope, §3) share. */
export interface ParsedErrorBody {
  readonly fields: Record<string, string[]>;
  readonly traceId?: string;
  readonly title?: string;
  /** Messages not tied to a field (envelope `errors` items, ProblemDetails `detail`). */
  readonly messages: string[];
}

/**
 * Reads FlexCharge error bodies in any of their shapes:
 * - ValidationProblemDetails `{status: 400, title, traceId, errors: {Path: [msgs]}}`;
 * - the same with `status: "400"` (ActiveMerchant's fixture);
 * - the flat 2024 sandbox dictionary `{TraceId: [id], Field: [msgs]}`;
 * - the result envelope `{success: false, errors: [{item1: msg, …} | msg]}`.
 * Anything else yields no fields.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const fields: Record<string, string[]> = {};
  const messages: string[] = [];
  if (!isRecord(body)) return { fields, messages };
  let traceId = firstString(body.traceId) ?? firstString(body.TraceId);
  const title = typeof body.title === 'string' ? body.title : undefined;
  if (typeof body.detail === 'string') messages.push(body.detail);

  if (isRecord(body.errors)) {
    for (const [path, value] of Object.entries(body.errors)) {
      const list = stringList(value);
      if (list) fields[path] = list;
    }
  } else if (Array.isArray(body.errors)) {
    for (const item of body.errors) {
      if (typeof item === 'string') messages.push(item);
      else if (isRecord(item) && typeof item.item1 === 'string') messages.push(item.item1);
    }
  } else if (!('errors' in body)) {
    for (const [key, value] of Object.entries(body)) {
      const list = stringList(value);
      if (!list || !Array.isArray(value)) continue;
      if (key.toLowerCase() === 'traceid') traceId ??= list[0];
      else fields[key] = list;
    }
  }
  return {
    fields,
    messages,
    ...(traceId ? { traceId } : {}),
    ...(title ? { title } : {}),
  };
}

/** Trace id headers, most specific first: FlexCharge's own, W3C traceparent, then request ids. */
const TRACE_HEADERS = [
  'x-trace-id',
  'trace-id',
  'traceparent',
  'x-request-id',
  'request-id',
  'apigw-requestid',
];

export function traceIdFromHeaders(headers: Headers): string | undefined {
  for (const name of TRACE_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

export { parseRetryAfter } from '../../plugin/core/retry-after.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
