import type { ErrorRequestHandler, RequestHandler } from 'express';
import { type ErrorCode, PluginError, ProviderError, ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isDatabaseUnavailable } from '../storage/connection-loss.js';

/** The one place that turns the plugin's errors into HTTP status codes and JSON bodies. */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  config_invalid: 500,
  signature_invalid: 400,
  validation_failed: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  invalid_transition: 409,
  conflict: 409,
  provider_error: 502,
  lease_lost: 409,
};

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof PluginError) {
      const status = err instanceof ProviderError && err.retryable ? 503 : STATUS_BY_CODE[err.code];
      if (status >= 500)
        logger.error('request failed', { path: req.path, code: err.code, error: err.message });
      if (status === 401) res.set('WWW-Authenticate', 'Bearer');
      res.status(status).json({
        error: {
          code: err.code,
          message: err.message,
          ...(err instanceof ValidationError ? { fields: err.fields } : {}),
        },
      });
      return;
    }
    if (isDatabaseUnavailable(err)) {
      logger.warn('database unavailable', { path: req.path, error: String(err?.message ?? err) });
      // A webhook sender retries a 503; the seconds are a hint, the outage decides.
      res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: { code: 'unavailable', message: 'temporarily unavailable, retry later' } });
      return;
    }
    // body-parser marks its own failures (malformed JSON, too large) with a 4xx status; its message
    // (parser positions, limits) stays in our log, the caller gets the kind of problem only.
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500)
      logger.error('unexpected error', { path: req.path, error: String(err?.stack ?? err) });
    else logger.warn('request refused', { path: req.path, status, error: String(err?.message ?? err) });
    res.status(status).json({
      error: {
        code: status === 500 ? 'internal_error' : 'bad_request',
        message: status === 500 ? 'internal error' : (CLIENT_MESSAGES[status] ?? 'bad request'),
      },
    });
  };
}

const CLIENT_MESSAGES: Record<number, string> = {
  400: 'the request body could not be read',
  413: 'the request body is too large',
  415: 'unsupported content type or encoding',
};

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}` } });
};
