/**
 * Merchant credentials the sandbox accepts (contract §1: MID, API key and secret, tokenization key,
 * site ids). The demo values are fixed and public on purpose: anyone can run the plugin against a
 * local sandbox with them, and they are worthless anywhere else.
 */
export interface SandboxCredential {
  /** The portal's "API Key", sent as `AppKey` to /oauth2/token. */
  appKey: string;
  /** The portal's "API Secret", sent as `AppSecret` to /oauth2/token. */
  appSecret: string;
  /** Merchant id (GUID): `mid` on evaluate and transmit, `custom:mid` in the access token. */
  mid: string;
  /** The "Environment" value /tokenize takes in its query string with `mid`. */
  tokenizationKey: string;
  /** Sites under the MID. When given, a `siteId` on evaluate must be one of them. */
  siteIds?: string[];
}

/** The credential a sandbox accepts when none are configured. Printed by `flexcharge-mit sandbox`. */
export const DEMO_CREDENTIAL: Readonly<SandboxCredential> = Object.freeze({
  appKey: 'sandbox/demo-app-key-7Kq2Vx9LmT4pWc8Zr',
  appSecret: 'AQAAAAEAACcQAAAAEFNhbmRib3hEZW1vU2VjcmV0LWZsZXhjaGFyZ2UtbWl0',
  mid: '7d3c2b1a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  tokenizationKey: 'sandbox-demo-tokenization-key',
  siteIds: Object.freeze(['5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e']) as string[],
});

/**
 * A fixed webhook subscriber key (64 bytes, base64) for demos, so the plugin and the standalone
 * sandbox agree without copying a generated key around. Never use it outside the sandbox.
 */
export const DEMO_SUBSCRIBER_KEY =
  'Lj/FV9XZej6EhzGFARQExNbME6pFjwi7AevmT0jG8dDeX+c1qDHZ3Zo1JZLuewT/ZvOb6s4TbNpdAW/EJ+SVFQ==';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws when a list of credentials could not work: empty, a mid that is no GUID, a repeated AppKey. */
export function assertUsableCredentials(credentials: readonly SandboxCredential[]): void {
  if (credentials.length === 0) throw new RangeError('the sandbox needs at least one credential');
  const appKeys = new Set<string>();
  for (const credential of credentials) {
    if (!GUID.test(credential.mid)) throw new TypeError(`credential mid ${credential.mid} is not a GUID`);
    if (!credential.appKey || !credential.appSecret || !credential.tokenizationKey) {
      throw new TypeError(`credential for mid ${credential.mid} lacks appKey, appSecret or tokenizationKey`);
    }
    if (appKeys.has(credential.appKey)) throw new TypeError(`appKey ${credential.appKey} is used twice`);
    appKeys.add(credential.appKey);
  }
}
