import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../plugin/core/clock.js';
import type { SandboxCredential } from './sandbox-credentials.js';

/**
 * Access tokens shaped like FlexCharge's (contract §2): an HS256 JWT carrying `custom:mid`, valid for
 * the configured TTL on the sandbox clock. The sandbox also remembers every token it issued, so a
 * token from another sandbox instance, or one revoked with `revokeAll`, answers 401 even if it is
 * well-formed.
 */

const AUDIENCE = ['payments', 'orders', 'merchants', 'eligibility-sftp', 'eligibility', 'contact'];

/** The /oauth2/token success body, with the envelope fields the real sandbox sends. */
export interface TokenResponseBody {
  accessToken: string;
  refreshToken: string;
  expires: number;
  id: string;
  session: null;
  daysToEnforceMFA: null;
  skipAvailable: null;
  success: true;
  result: null;
  status: null;
  statusCode: null;
  errors: [];
  customProperties: Record<string, never>;
}

export interface SavedAccessTokens {
  readonly secret: string;
  readonly issued: readonly { token: string; appKey: string; expiresAt: number }[];
}

interface IssuedToken {
  readonly credential: SandboxCredential;
  readonly expiresAt: number;
}

export class AccessTokens {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #secret = randomBytes(32);
  readonly #issued = new Map<string, IssuedToken>();

  constructor(clock: Clock, ttlMs: number) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  issue(credential: SandboxCredential): TokenResponseBody {
    const nowMs = this.#clock.now().getTime();
    const expires = nowMs + this.#ttlMs;
    const clientId = clientIdOf(credential);
    const accessToken = this.#sign({
      sub: clientId,
      unique_name: clientId,
      jti: randomUUID(),
      iat: String(nowMs),
      aud: AUDIENCE,
      'custom:mid': credential.mid,
      nbf: Math.floor(nowMs / 1000),
      exp: Math.floor(expires / 1000),
      iss: 'Api-Client-Service',
    });
    this.#forgetExpired(nowMs);
    this.#issued.set(accessToken, { credential, expiresAt: expires });
    return {
      accessToken,
      refreshToken: `AQAAAAEAACcQAAAAE${randomBytes(48).toString('base64')}`,
      expires,
      id: clientId,
      session: null,
      daysToEnforceMFA: null,
      skipAvailable: null,
      success: true,
      result: null,
      status: null,
      statusCode: null,
      errors: [],
      customProperties: {},
    };
  }

  /** The credential behind a bearer token, or undefined when it is unknown, expired or revoked. */
  authenticate(accessToken: string): SandboxCredential | undefined {
    const issued = this.#issued.get(accessToken);
    if (!issued) return undefined;
    if (this.#clock.now().getTime() >= issued.expiresAt) return undefined;
    return this.#verifies(accessToken) ? issued.credential : undefined;
  }

  /** For the state file: the signing key and the unexpired tokens, by the AppKey they were issued to. */
  saveState(): SavedAccessTokens {
    this.#forgetExpired(this.#clock.now().getTime());
    return {
      secret: this.#secret.toString('base64'),
      issued: [...this.#issued].map(([token, { credential, expiresAt }]) => ({
        token,
        appKey: credential.appKey,
        expiresAt,
      })),
    };
  }

  /** Tokens a restarted sandbox still honours; a token of a credential no longer configured is dropped. */
  loadState(saved: SavedAccessTokens, credentials: readonly SandboxCredential[]): void {
    this.#secret = Buffer.from(saved.secret, 'base64');
    for (const { token, appKey, expiresAt } of saved.issued) {
      const credential = credentials.find((c) => c.appKey === appKey);
      if (credential) this.#issued.set(token, { credential, expiresAt });
    }
  }

  /** Every token issued so far answers 401 from now on; new ones can be fetched as usual. */
  revokeAll(): void {
    this.#issued.clear();
  }

  #sign(payload: object): string {
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = base64url(JSON.stringify(payload));
    return `${header}.${body}.${this.#mac(`${header}.${body}`)}`;
  }

  #verifies(jwt: string): boolean {
    const [header, body, signature] = jwt.split('.');
    return signature === this.#mac(`${header}.${body}`);
  }

  #mac(data: string): string {
    return createHmac('sha256', this.#secret).update(data).digest('base64url');
  }

  #forgetExpired(nowMs: number): void {
    for (const [token, issued] of this.#issued) if (issued.expiresAt <= nowMs) this.#issued.delete(token);
  }
}

/** The API-client id (`id`, JWT `sub`): a stable GUID derived from the AppKey. */
export function clientIdOf(credential: SandboxCredential): string {
  const hex = createHash('sha256').update(`client:${credential.appKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
