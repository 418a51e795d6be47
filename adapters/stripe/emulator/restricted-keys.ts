import { z } from 'zod';
import { StripeApiError } from './errors.js';

/**
 * Restricted keys (`rk_test_…`), simplified: a permission per resource, named by the resource's first
 * `/v1` path segment (`webhook_endpoints`, `events`, `invoices`, …, as manifest.json names them).
 * `read` allows GET, `write` allows every method; a resource left out allows nothing. Stripe's
 * dashboard groups resources differently; the emulator keeps one permission per path.
 */
export type KeyPermission = 'read' | 'write';
export type KeyPermissions = Readonly<Record<string, KeyPermission>>;

export const keyPermissionsSchema = z.record(
  z.string().regex(/^[a-z_]+$/, 'a resource is a /v1 path segment, e.g. webhook_endpoints'),
  z.enum(['read', 'write']),
);

/** The resource a `/v1` request path names: `/webhook_endpoints/we_1` → `webhook_endpoints`. */
export function resourceOf(path: string): string {
  return path.replace(/^\/+/, '').split('/')[0] ?? '';
}

/** Null when `permissions` allow the request, else the permission that would. */
export function missingPermission(
  permissions: KeyPermissions,
  method: string,
  path: string,
): { resource: string; level: KeyPermission } | null {
  const resource = resourceOf(path);
  const level: KeyPermission = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  const granted = permissions[resource];
  if (granted === 'write' || granted === level) return null;
  return { resource, level };
}

/**
 * Stripe's 403 for a restricted key lacking a permission (stripe-node: StripePermissionError). The
 * wording is our reading of what Stripe answers; the permission name is `rak_<resource>_<level>`.
 */
export function permissionError(
  maskedKey: string,
  accountId: string,
  missing: { resource: string; level: KeyPermission },
): StripeApiError {
  return new StripeApiError(403, {
    type: 'invalid_request_error',
    message:
      `The provided key '${maskedKey}' does not have the required permissions for this endpoint on account ` +
      `'${accountId}'. Having the 'rak_${missing.resource}_${missing.level}' permission would allow this request to continue.`,
  });
}
