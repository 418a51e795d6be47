import type { RequestHandler } from 'express';
import { ValidationError } from '../core/errors.js';

/**
 * PostgreSQL text cannot hold a NUL character, so an input carrying one would fail deep in a query
 * as a 500. No id, token or filter of ours has a use for it: refuse it up front as the caller's error.
 */
export const rejectNulBytes: RequestHandler = (req, _res, next) => {
  const where =
    (decodedPath(req.path).includes('\u0000') ? 'path' : null) ??
    nulAt(req.query, 'query', 0) ??
    nulAt(req.body, 'body', 0);
  if (where) throw new ValidationError('NUL characters are not accepted', { [where]: ['contains a NUL'] });
  next();
};

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes are the router's to refuse
  }
}

// Admin bodies are small JSON (64 kB at most); the depth bound only guards against pathological ones.
function nulAt(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 32) return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return path;
    const found = nulAt(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}
