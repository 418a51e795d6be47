import { timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Clock } from '../../core/clock.js';
import { PluginError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Session, SessionRepository } from '../../storage/session-repository.js';
import { messagePage } from './layout.js';

export const SESSION_COOKIE = 'fcm_session';

/** The value of one cookie of the request, or null. */
export function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/** The session `loadSession` found; only after `requireSession`. */
export function sessionOf(res: Response): Session {
  return res.locals.session as Session;
}

export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * Finds the cookie's session and, when there is one, makes its principal the request's, as a bearer
 * credential would (`res.locals.principal`), so `authorizeMerchant` and the audit's actor apply alike.
 */
export function loadSession(sessions: SessionRepository, clock: Clock): RequestHandler {
  return async (req, res, next) => {
    const token = cookieOf(req, SESSION_COOKIE);
    const session = token ? await sessions.find(token, clock.now()) : null;
    if (session) {
      res.locals.session = session;
      res.locals.principal = session.principal;
    }
    next();
  };
}

/** Without a session a page is not shown: the browser is sent to the login page. */
export const requireSession: RequestHandler = (_req, res, next) => {
  if (res.locals.session) return next();
  res.redirect(303, '/login');
};

/** Every form POST carries the session's CSRF token in `csrf`; compared in constant time. */
export const checkCsrf: RequestHandler = (req, res, next) => {
  const given = typeof req.body?.csrf === 'string' ? Buffer.from(req.body.csrf) : Buffer.alloc(0);
  const expected = Buffer.from(sessionOf(res).csrfToken);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
  res
    .status(403)
    .type('html')
    .send(
      messagePage('Refused', 'The form was stale or not sent from this site. Reload the page and try again.'),
    );
};

// Forms are small: a few short fields. Extended parsing (nested objects) is not needed.
const urlencoded = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

/** Parses a form body; its errors are answered by `pageErrors`, never with the body quoted. */
export const formBody: RequestHandler = (req, res, next) => {
  urlencoded(req, res, (err?: unknown) => {
    if (!err) return next();
    const status = (err as { status?: unknown }).status;
    next(
      Object.assign(new Error('form body refused'), { status: typeof status === 'number' ? status : 400 }),
    );
  });
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
};

/** The pages' errors as pages: a 404 for another merchant's page, as the API answers. */
export function pageErrors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (err instanceof PluginError && err.code === 'unauthorized') return res.redirect(303, '/login');
    const status =
      err instanceof PluginError
        ? (
            { validation_failed: 400, not_found: 404, forbidden: 403, conflict: 409 } as Record<
              string,
              number
            >
          )[err.code]
        : typeof err?.status === 'number' && err.status >= 400 && err.status < 500
          ? err.status
          : undefined;
    if (status === undefined) return next(err);
    logger.warn('page refused', { path: req.path, status });
    const title = TITLES[status] ?? 'Refused';
    const message = status === 404 ? 'There is nothing here.' : 'The request could not be carried out.';
    res.status(status).type('html').send(messagePage(title, message));
  };
}
