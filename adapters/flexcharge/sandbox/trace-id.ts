import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Every response carries a W3C-traceparent-shaped trace id, as the real API's ProblemDetails do
 * (`00-<32 hex>-<16 hex>-01`), in the `x-trace-id` header and in error bodies. A caller's own
 * `traceparent` keeps its trace id, so logs on both sides line up.
 */

export const TRACE_ID_HEADER = 'x-trace-id';
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function newTraceId(traceId = randomBytes(16).toString('hex')): string {
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

export function traceIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = TRACEPARENT.exec(req.get('traceparent') ?? '');
  const traceId = newTraceId(incoming?.[1]);
  res.locals.traceId = traceId;
  res.setHeader(TRACE_ID_HEADER, traceId);
  next();
}

export function traceIdOf(res: Response): string {
  return typeof res.locals.traceId === 'string' ? res.locals.traceId : newTraceId();
}
