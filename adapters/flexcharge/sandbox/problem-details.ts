import type { Response } from 'express';
import type { SandboxErrorShape } from './sandbox-options.js';
import { traceIdOf } from './trace-id.js';
import type { FieldErrors } from './validation-errors.js';

/**
 * Error bodies as ASP.NET Core writes them (contract §10): RFC 9110 ProblemDetails, and for model
 * validation either the documented ValidationProblemDetails or the flat dictionary the 2024 sandbox
 * was seen to answer.
 */

const TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  405: 'https://tools.ietf.org/html/rfc9110#section-15.5.6',
  409: 'https://tools.ietf.org/html/rfc9110#section-15.5.10',
  413: 'https://tools.ietf.org/html/rfc9110#section-15.5.14',
  415: 'https://tools.ietf.org/html/rfc9110#section-15.5.16',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
  502: 'https://tools.ietf.org/html/rfc9110#section-15.6.3',
  503: 'https://tools.ietf.org/html/rfc9110#section-15.6.4',
  504: 'https://tools.ietf.org/html/rfc9110#section-15.6.5',
};

export const VALIDATION_TITLE = 'One or more validation errors occurred.';

export function problemBody(status: number, title: string, traceId: string, detail?: string): object {
  return { type: TYPES[status] ?? 'about:blank', title, status, ...(detail ? { detail } : {}), traceId };
}

export function sendProblem(res: Response, status: number, title: string, detail?: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .json(problemBody(status, title, traceIdOf(res), detail));
}

export function validationBody(
  errors: FieldErrors,
  shape: SandboxErrorShape,
  traceId: string,
): Record<string, unknown> {
  if (shape === 'flat') return { TraceId: [traceId], ...errors.toJSON() };
  return { type: TYPES[400], title: VALIDATION_TITLE, status: 400, errors: errors.toJSON(), traceId };
}

export function sendValidationProblem(res: Response, errors: FieldErrors, shape: SandboxErrorShape): void {
  res
    .status(400)
    .type('application/problem+json')
    .json(validationBody(errors, shape, traceIdOf(res)));
}

/** The same idempotency key with a different payload (contract §10): a ProblemDetails 409. */
export function sendIdempotencyConflict(res: Response, idempotencyKey: string): void {
  sendProblem(
    res,
    409,
    'Idempotency key reused with a different request.',
    `The idempotency key ${idempotencyKey} was used within the last 24 hours for a different request. ` +
      'Send a new key for a new request, or the identical request to replay its response.',
  );
}

export function sendOrderNotFound(res: Response, id: string): void {
  sendProblem(res, 404, 'Not Found', `Order ${id} was not found.`);
}
