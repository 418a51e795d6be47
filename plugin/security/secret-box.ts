import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) for the small secrets the plugin keeps: card tokens now,
 * merchant credentials next. Each ciphertext is stored with the id of the key that sealed it, so a
 * later key can be brought in beside the old one and rows re-sealed at leisure.
 */
export interface SecretBox {
  /** Stable id of the sealing key; a fingerprint, never the key. */
  readonly keyId: string;
  /**
   * Encrypts `plaintext`, bound to `context` (the row it belongs to, say): a ciphertext copied to
   * another row, or altered in any bit, does not open.
   */
  seal(plaintext: string, context: string): SealedSecret;
  /**
   * The plaintext, opened with the sealing key or any previous key it was built with; throws
   * `SecretBoxError` for an unknown key, another context or altered bytes.
   */
  open(sealed: SealedSecret, context: string): string;
  /** Whether `open` knows the key `keyId` names (the current one or a previous one). */
  knows(keyId: string): boolean;
}

export interface SealedSecret {
  readonly keyId: string;
  /** Nonce (12 bytes), ciphertext, then the GCM tag (16 bytes). */
  readonly ciphertext: Uint8Array;
}

export class SecretBoxError extends Error {}

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals under `key`; opens under `key` or any of `previous`, so rows sealed before a key rotation
 * stay readable until the rotation command has re-sealed them under the new key.
 */
export function createSecretBox(key: Buffer, previous: readonly Buffer[] = []): SecretBox {
  for (const k of [key, ...previous]) {
    if (k.length !== KEY_BYTES)
      throw new SecretBoxError(`an encryption key is ${KEY_BYTES} bytes, not ${k.length}`);
  }
  const keyId = keyIdOf(key);
  const keys = new Map<string, Buffer>(previous.map((k) => [keyIdOf(k), k]));
  keys.set(keyId, key);
  return {
    keyId,
    seal(plaintext, context) {
      // A random 96-bit nonce per seal: safe for far more seals than a merchant's cards will need.
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId, ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
    },
    knows: (id) => keys.has(id),
    open(sealed, context) {
      const openingKey = keys.get(sealed.keyId);
      if (!openingKey) {
        const others = keys.size > 1 ? ' and no previous key (ENCRYPTION_KEY_PREVIOUS) matches' : '';
        throw new SecretBoxError(
          `sealed under key ${sealed.keyId}, but the configured key is ${keyId}${others}`,
        );
      }
      const bytes = Buffer.from(sealed.ciphertext);
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new SecretBoxError('ciphertext is truncated');
      const decipher = createDecipheriv('aes-256-gcm', openingKey, bytes.subarray(0, NONCE_BYTES))
        .setAAD(Buffer.from(context, 'utf8'))
        .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new SecretBoxError('ciphertext does not authenticate: altered, or sealed for another row', {
          cause,
        });
      }
    },
  };
}

/** `k1-` and 16 hex characters of an HMAC of a fixed label under the key: names it, reveals nothing. */
export function keyIdOf(key: Buffer): string {
  return `k1-${createHmac('sha256', key).update('flexcharge-mit key id').digest('hex').slice(0, 16)}`;
}
