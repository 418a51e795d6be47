import type { SealedSecret, SecretBox } from '../security/secret-box.js';

/**
 * Every encrypted column the plugin keeps, in one list, so that key rotation cannot miss one. A
 * secret named `x` lives in `x_ciphertext` and `x_key_id`; its context (the AAD) binds it to its row,
 * so a ciphertext copied to another row does not open.
 */
export interface SealedColumn {
  readonly table: SealedTable;
  /** The columns that identify a row; never secret, so they may appear in reports. */
  readonly keyColumns: readonly string[];
  readonly secret: string;
  context(row: Readonly<Record<string, unknown>>): string;
}

export type SealedTable = 'card_tokens' | 'merchant_flexcharge_credentials' | 'merchant_engine_connections';

/** The context of a card token; unchanged since 0006, or existing ciphertexts would not open. */
export const cardTokenContext = (merchantId: string, engine: string, paymentMethodId: string) =>
  `card_tokens:${merchantId}:${engine}:${paymentMethodId}`;

export const credentialContext = (merchantId: string, environment: string, secret: string) =>
  `merchant_flexcharge_credentials:${merchantId}:${environment}:${secret}`;

export const engineConnectionContext = (merchantId: string, engine: string, secret: string) =>
  `merchant_engine_connections:${merchantId}:${engine}:${secret}`;

const credential = (secret: string): SealedColumn => ({
  table: 'merchant_flexcharge_credentials',
  keyColumns: ['merchant_id', 'environment'],
  secret,
  context: (row) => credentialContext(String(row.merchant_id), String(row.environment), secret),
});

const engineConnection = (secret: string): SealedColumn => ({
  table: 'merchant_engine_connections',
  keyColumns: ['merchant_id', 'engine'],
  secret,
  context: (row) => engineConnectionContext(String(row.merchant_id), String(row.engine), secret),
});

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'card_tokens',
    keyColumns: ['merchant_id', 'engine', 'payment_method_id'],
    secret: 'token',
    context: (row) =>
      cardTokenContext(String(row.merchant_id), String(row.engine), String(row.payment_method_id)),
  },
  credential('app_key'),
  credential('app_secret'),
  credential('webhook_key'),
  engineConnection('api_key'),
  engineConnection('webhook_secret'),
];

/** A stored pair of columns as the box takes it; null when the secret is not set. */
export function sealedFrom(ciphertext: Uint8Array | null, keyId: string | null): SealedSecret | null {
  return ciphertext && keyId ? { keyId, ciphertext } : null;
}

/** Seals an optional secret into its two columns. */
export function sealColumns(
  box: SecretBox,
  plaintext: string | null | undefined,
  context: string,
): { ciphertext: Uint8Array | null; keyId: string | null } {
  if (plaintext == null) return { ciphertext: null, keyId: null };
  const sealed = box.seal(plaintext, context);
  return { ciphertext: sealed.ciphertext, keyId: sealed.keyId };
}
