import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Bearer-token guard for the admin API; without ADMIN_TOKEN the API is switched off entirely. */
export function adminAuth(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? Buffer.from(adminToken) : null;
  return (req, res, next) => {
    if (!expected) {
      res.status(403).json({
        error: { code: 'admin_disabled', message: 'the admin API is off: set ADMIN_TOKEN to enable it' },
      });
      return;
    }
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res
        .status(401)
        .json({ error: { code: 'unauthorized', message: 'missing or wrong admin bearer token' } });
      return;
    }
    next();
  };
}
