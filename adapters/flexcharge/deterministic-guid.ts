import { createHash } from 'node:crypto';

/**
 * A GUID derived from our own ids, so a repeated call carries the same idempotency key
 * (FlexCharge expects GUID-shaped keys). Shaped as an RFC 9562 version-8 (custom) UUID.
 */
export function deterministicGuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
