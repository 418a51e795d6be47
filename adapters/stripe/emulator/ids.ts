import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';

/**
 * Identifiers shaped like Stripe's: a prefix, then base62. Object ids that Stripe issues with a
 * leading `1`/`3` (`pm_1…`, `pi_3…`) keep that habit so logs look familiar.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const PREFIXES = {
  customer: ['cus_', 14],
  payment_method: ['pm_1', 23],
  product: ['prod_', 14],
  price: ['price_1', 23],
  subscription: ['sub_1', 23],
  subscription_item: ['si_', 14],
  invoice: ['in_1', 23],
  line_item: ['il_1', 23],
  invoice_payment: ['inpay_1', 23],
  payment_record: ['pr_', 14],
  payment_attempt_record: ['par_1', 14],
  payment_intent: ['pi_3', 23],
  charge: ['ch_3', 23],
  balance_transaction: ['txn_3', 23],
  webhook_endpoint: ['we_1', 23],
  event: ['evt_1', 23],
  request: ['req_', 14],
  forwarding_request: ['fwdreq_', 24],
  webhook_secret: ['whsec_', 32],
  account: ['acct_1', 15],
  secret_key: ['sk_test_', 32],
  restricted_key: ['rk_test_', 32],
} as const satisfies Record<string, readonly [string, number]>;

export type IdKind = keyof typeof PREFIXES;

export function newId(kind: IdKind): string {
  const [prefix, length] = PREFIXES[kind];
  return prefix + base62(length);
}

export function base62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}

export function digits(length: number): string {
  let out = String(randomInt(1, 10));
  while (out.length < length) out += String(randomInt(0, 10));
  return out;
}

export function uuid(): string {
  return randomUUID();
}

/** The same card number always yields the same fingerprint, as on Stripe; the number is not kept. */
export function cardFingerprint(cardNumber: string): string {
  const digest = createHmac('sha256', 'stripe-emulator-fingerprint').update(cardNumber).digest();
  let out = '';
  for (const byte of digest.subarray(0, 16)) out += BASE62[byte % 62];
  return out;
}

/** Eight upper-case hex-ish characters, like a customer's `invoice_prefix`. */
export function invoicePrefix(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}
