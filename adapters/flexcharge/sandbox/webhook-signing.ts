import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The headers FlexCharge signs a webhook delivery with (contract §9.4), written from the contract
 * and checked against its published test vector, apart from the plugin's verifier on purpose: the
 * two must agree because both follow the contract, not because they share code.
 */
export interface SignedWebhookHeaders {
  'x-fc-date': string;
  'x-fc-nonce': string;
  'x-fc-content-sha512': string;
  'x-fc-authorization': string;
  'x-fc-signature': string;
}

export function signDelivery(input: {
  /** The portal's base64 subscriber key; its decoded bytes are the HMAC key. */
  subscriberKey: string;
  /** The receiver's host (with port) as the sender addresses it, without a scheme. */
  host: string;
  body: string;
  date: Date;
  /** 32 hex characters; a fresh one when not given. */
  nonce?: string;
}): SignedWebhookHeaders {
  const key = Buffer.from(input.subscriberKey, 'base64');
  const hmac = (data: string) => createHmac('sha512', key).update(data, 'utf8').digest('base64');
  const date = input.date.toUTCString();
  const nonce = input.nonce ?? randomBytes(16).toString('hex');
  const contentHash = createHash('sha512').update(input.body, 'utf8').digest('base64');
  const signature = hmac(`POST\n${nonce};${date};${input.host};${contentHash}`);
  return {
    'x-fc-date': date,
    'x-fc-nonce': nonce,
    'x-fc-content-sha512': contentHash,
    'x-fc-authorization': `HMAC-SHA512 SignedHeaders=x-fc-nonce;x-fc-date;host;x-fc-content-sha512&Signature=${signature}`,
    'x-fc-signature': hmac(input.body),
  };
}
