import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignatureError } from '../../plugin/core/errors.js';

/**
 * FlexCharge webhook signatures, exactly as contract §9.4 describes them: HMAC-SHA512, keyed with
 * the base64-decoded subscriber key, over "POST\n" + nonce;date;host;base64(SHA-512(body)).
 * The sandbox signs with `signWebhook`; the plugin checks with `verifyWebhookSignature`.
 */

export const SIGNED_HEADERS = 'x-fc-nonce;x-fc-date;host;x-fc-content-sha512';
/** How far `x-fc-date` may be from our clock; the vendor sets none, five minutes is the usual bound. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

export interface WebhookSignatureHeaders {
  'x-fc-date': string;
  'x-fc-nonce': string;
  'x-fc-content-sha512': string;
  'x-fc-authorization': string;
  'x-fc-signature': string;
}

export function contentHash(body: Buffer | string): string {
  return createHash('sha512').update(body).digest('base64');
}

function hmac(subscriberKey: string, data: Buffer | string): string {
  return createHmac('sha512', Buffer.from(subscriberKey, 'base64')).update(data).digest('base64');
}

export function stringToSign(nonce: string, date: string, host: string, hash: string): string {
  return `POST\n${nonce};${date};${host};${hash}`;
}

export function signWebhook(input: {
  subscriberKey: string;
  host: string;
  body: Buffer | string;
  date: Date | string;
  nonce?: string;
}): WebhookSignatureHeaders {
  const date = typeof input.date === 'string' ? input.date : input.date.toUTCString();
  const nonce = input.nonce ?? randomBytes(16).toString('hex');
  const hash = contentHash(input.body);
  const signature = hmac(input.subscriberKey, stringToSign(nonce, date, input.host, hash));
  return {
    'x-fc-date': date,
    'x-fc-nonce': nonce,
    'x-fc-content-sha512': hash,
    'x-fc-authorization': `HMAC-SHA512 SignedHeaders=${SIGNED_HEADERS}&Signature=${signature}`,
    'x-fc-signature': hmac(input.subscriberKey, input.body),
  };
}

export interface VerifiedWebhook {
  readonly nonce: string;
  readonly signedAt: Date;
}

/**
 * Throws `SignatureError` unless the body hash and the authorization signature match and the date is
 * within `maxSkewMs` of `now`. `x-fc-signature` (body only, no nonce or date) adds nothing the
 * authorization does not already cover, so a delivery may omit it; when sent, it must match too.
 * Replays are the caller's to refuse, by nonce.
 */
export function verifyWebhookSignature(input: {
  subscriberKey: string;
  host: string;
  rawBody: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  now: Date;
  maxSkewMs?: number;
}): VerifiedWebhook {
  const optionalHeader = (name: keyof WebhookSignatureHeaders): string | undefined => {
    const value = input.headers[name];
    if (Array.isArray(value)) throw new SignatureError(`more than one ${name} header`);
    return value === '' ? undefined : value;
  };
  const header = (name: keyof WebhookSignatureHeaders): string => {
    const value = optionalHeader(name);
    if (value === undefined) throw new SignatureError(`missing ${name} header`);
    return value;
  };
  const date = header('x-fc-date');
  const nonce = header('x-fc-nonce');
  if (!/^[0-9a-f]{32}$/i.test(nonce)) throw new SignatureError('x-fc-nonce is not 32 hex characters');

  const signedAt = new Date(date);
  if (Number.isNaN(signedAt.getTime())) throw new SignatureError('x-fc-date is not a date');
  // How far off the sender's clock is stays unsaid: it would tell a prober what our clock reads.
  if (Math.abs(input.now.getTime() - signedAt.getTime()) > (input.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)) {
    throw new SignatureError('x-fc-date is outside the accepted window: stale or from the future');
  }

  const hash = contentHash(input.rawBody);
  if (!safeEqual(hash, header('x-fc-content-sha512')))
    throw new SignatureError('body does not match x-fc-content-sha512');

  const match = /^HMAC-SHA512 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(header('x-fc-authorization'));
  if (!match || match[1] !== SIGNED_HEADERS) throw new SignatureError('x-fc-authorization is malformed');
  const expected = hmac(input.subscriberKey, stringToSign(nonce, date, input.host, hash));
  if (!safeEqual(expected, match[2] ?? '')) throw new SignatureError('signature does not match');

  const bodySignature = optionalHeader('x-fc-signature');
  if (bodySignature !== undefined && !safeEqual(hmac(input.subscriberKey, input.rawBody), bodySignature)) {
    throw new SignatureError('x-fc-signature does not match');
  }
  return { nonce: nonce.toLowerCase(), signedAt };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
