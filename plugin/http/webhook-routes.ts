import express, { type Request, Router } from 'express';
import type { BillingEngineAdapter } from '../core/billing-engine.js';
import type { Clock } from '../core/clock.js';
import { SignatureError } from '../core/errors.js';
import type { InboxRepository, IncomingEvent } from '../storage/inbox-repository.js';
import { prepareForStorage } from '../storage/storable-event.js';
import { headersAsSent, type WebhookHeaders } from './headers-as-sent.js';

/** A rescue provider's webhook after its signature verified. */
export interface VerifiedProviderWebhook {
  readonly id: string;
  readonly type: string;
  readonly nonce: string;
  /** False for kinds that are acknowledged and kept but never acted on. */
  readonly actionable: boolean;
  readonly payload: object;
}

export interface ProviderWebhookVerifier {
  readonly id: string;
  /** Verifies signature, date and body shape; throws `SignatureError` or `ValidationError`. */
  verify(rawBody: Buffer, headers: WebhookHeaders, host: string): VerifiedProviderWebhook;
}

export interface WebhookRouteDeps {
  inbox: InboxRepository;
  clock: Clock;
  /** The merchant the un-suffixed routes act for. */
  defaultMerchantId: string;
  engines: readonly BillingEngineAdapter[];
  provider: ProviderWebhookVerifier;
  /** The host FlexCharge signs for: PUBLIC_URL's host when set, else the request's Host header. */
  publicHost?: string;
}

// Webhooks are verified on the raw bytes before anything is parsed or looked up, then stored and
// answered at once; the worker does the rest. Any content type: FlexCharge may send JSON as text.
const rawBody = express.raw({ type: () => true, limit: '1mb' });

export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = Router();

  // A signed event is answered 2xx once stored, even one that had to be made storable or set aside
  // (quarantined): the cause would not go away, and a sender retrying it for days helps no one.
  const store = async (
    source: string,
    raw: Buffer,
    event: { id: string; type: string; payload: object; actionable?: boolean; nonce?: string },
  ) => {
    const storable = prepareForStorage({
      eventId: event.id,
      eventType: event.type,
      payload: event.payload,
      rawBody: raw,
    });
    const incoming: IncomingEvent = {
      ...storable,
      source,
      merchantId: deps.defaultMerchantId,
      receivedAt: deps.clock.now(),
      actionable: event.actionable ?? true,
      ...(event.nonce === undefined ? {} : { nonce: event.nonce }),
    };
    const outcome = await deps.inbox.insert(incoming);
    if (outcome === 'replayed')
      throw new SignatureError('this signed request was already received (replayed nonce)');
    return {
      received: true,
      duplicate: outcome === 'duplicate',
      ...(storable.quarantineReason ? { quarantined: true } : {}),
    };
  };

  for (const engine of deps.engines) {
    router.post(`/webhooks/${engine.id}`, rawBody, async (req, res, next) => {
      try {
        const raw = bodyOf(req);
        const event = engine.verifyWebhook(raw, headersAsSent(req));
        res.status(200).json(await store(engine.id, raw, event));
      } catch (err) {
        next(err);
      }
    });
  }

  router.post(`/webhooks/${deps.provider.id}`, rawBody, async (req, res, next) => {
    try {
      const raw = bodyOf(req);
      const host = deps.publicHost ?? req.headers.host ?? '';
      const event = deps.provider.verify(raw, headersAsSent(req), host);
      res.status(200).json(await store(deps.provider.id, raw, event));
    } catch (err) {
      next(err);
    }
  });

  return router;
}

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
