import type { Response } from 'express';
import type { AccessTokens } from './access-tokens.js';
import type { CardVault } from './card-vault.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { OrderStore } from './order-store.js';
import type { SandboxCredential } from './sandbox-credentials.js';
import type { ResolvedSandboxOptions } from './sandbox-options.js';
import type { WebhookDeliveries } from './webhook-deliveries.js';

/** What the routes share: options and the in-memory stores (a restart forgets all of it). */
export interface SandboxContext {
  readonly options: ResolvedSandboxOptions;
  readonly tokens: AccessTokens;
  readonly vault: CardVault;
  readonly orders: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly webhooks: WebhookDeliveries;
  /** transmitId by mid, merchant orderId and transaction id. */
  readonly transmits: Map<string, string>;
}

/** The credential `requireBearer` authenticated; only valid in routes behind it. */
export function credentialOf(res: Response): SandboxCredential {
  const credential = res.locals.credential as SandboxCredential | undefined;
  if (!credential) throw new Error('route is not behind requireBearer');
  return credential;
}
