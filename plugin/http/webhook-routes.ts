import express, { type Request, Router } from 'express';
import type { BillingEngineAdapter } from '../core/billing-engine.js';
import type { Clock } from '../core/clock.js';
import { SignatureError } from '../core/errors.js';
import type { ProviderWebhookEvent } from '../core/rescue-provider.js';
import type { InboxRepository } from '../storage/inbox-repository.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface ProviderWebhookVerifier {
  readonly id: string;
  /** Verifies signature, date and body shape; throws `SignatureError` or `ValidationError`. */
  verify(rawBody: Buffer, headers: Headers, host: string): ProviderWebhookEvent & { nonce: string };
  /** True the first time a nonce is seen (inside the caller's transaction of record). */
  rememberNonce(nonce: string, at: Date): Promise<boolean>;
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

  for (const engine of deps.engines) {
    router.post(`/webhooks/${engine.id}`, rawBody, async (req, res, next) => {
      try {
        const event = engine.verifyWebhook(bodyOf(req), req.headers);
        const stored = await deps.inbox.insert({
          source: engine.id,
          merchantId: deps.defaultMerchantId,
          eventId: event.id,
          eventType: event.type,
          payload: event.payload,
          receivedAt: deps.clock.now(),
        });
        res.status(200).json({ received: true, duplicate: stored === 'duplicate' });
      } catch (err) {
        next(err);
      }
    });
  }

  router.post(`/webhooks/${deps.provider.id}`, rawBody, async (req, res, next) => {
    try {
      const host = deps.publicHost ?? req.headers.host ?? '';
      const event = deps.provider.verify(bodyOf(req), req.headers, host);
      const now = deps.clock.now();
      if (!(await deps.provider.rememberNonce(event.nonce, now))) {
        throw new SignatureError('this signed request was already received (replayed nonce)');
      }
      const { nonce: _nonce, ...hint } = event;
      const stored = await deps.inbox.insert({
        source: deps.provider.id,
        merchantId: deps.defaultMerchantId,
        eventId: event.id,
        eventType: event.type,
        payload: hint,
        receivedAt: now,
      });
      res.status(200).json({ received: true, duplicate: stored === 'duplicate' });
    } catch (err) {
      next(err);
    }
  });

  return router;
}

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
