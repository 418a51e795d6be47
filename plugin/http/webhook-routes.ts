import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { BillingEngineAdapter } from '../core/billing-engine.js';
import type { Clock } from '../core/clock.js';
import { NotFoundError, SignatureError, ValidationError } from '../core/errors.js';
import type { FlexChargeEnvironment } from '../core/merchant-settings.js';
import type { InboxRepository, IncomingEvent } from '../storage/inbox-repository.js';
import { prepareForStorage } from '../storage/storable-event.js';
import { headersAsSent, type WebhookHeaders } from './headers-as-sent.js';
import { noteIntake, observeIntake, type WebhookIntakeObserver } from './webhook-intake-observer.js';

/** A rescue provider's webhook after its signature verified. */
export interface VerifiedProviderWebhook {
  readonly id: string;
  readonly type: string;
  readonly nonce: string;
  /** False for kinds that are acknowledged and kept but never acted on. */
  readonly actionable: boolean;
  readonly payload: object;
}

/** What the webhook routes need of a merchant: its engines, and its FlexCharge webhook keys. */
export interface WebhookMerchant {
  engine(engineId: string): BillingEngineAdapter;
  verifyFlexChargeWebhook(
    rawBody: Buffer,
    headers: WebhookHeaders,
    host: string,
  ): VerifiedProviderWebhook & { environment: FlexChargeEnvironment };
}

export interface WebhookRouteDeps {
  inbox: InboxRepository;
  clock: Clock;
  /** The merchant the un-suffixed routes act for (the single-merchant installation). */
  defaultMerchantId: string;
  /** Throws `NotFoundError` for an unknown merchant. */
  merchants: {
    resolve(merchantId: string): Promise<WebhookMerchant>;
    merchantForStripeAccount(accountId: string): Promise<string | null>;
  };
  engineIds: readonly string[];
  providerId: string;
  /** A Connect platform's endpoint: verifies with its secret; null when none is configured. */
  stripeConnect: Pick<BillingEngineAdapter, 'verifyWebhook'> | null;
  /** The host FlexCharge signs for: PUBLIC_URL's host when set, else the request's Host header. */
  publicHost?: string;
  /** Told of every webhook request once answered: received or refused, and how long it took. */
  observeIntake?: WebhookIntakeObserver;
}

// Webhooks are verified on the raw bytes before anything is parsed or stored, then stored and
// answered at once; the worker does the rest. Any content type: FlexCharge may send JSON as text.
const rawBody = express.raw({ type: () => true, limit: '1mb' });

/**
 * Per merchant: `/webhooks/<source>/<merchant>`, verified with that merchant's own secret, looked up
 * first (an unknown merchant is 404 and nothing is stored). The bare `/webhooks/<source>` routes act
 * for the single-merchant installation; `/webhooks/stripe-connect` takes a Connect platform's events
 * for all its connected accounts, the event's `account` picking the merchant.
 */
export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = Router();

  // A signed event is answered 2xx once stored, even one that had to be made storable or set aside
  // (quarantined): the cause would not go away, and a sender retrying it for days helps no one.
  const store = async (
    source: string,
    merchantId: string,
    raw: Buffer,
    event: {
      id: string;
      type: string;
      payload: object;
      actionable?: boolean;
      nonce?: string;
      environment?: FlexChargeEnvironment;
    },
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
      merchantId,
      receivedAt: deps.clock.now(),
      actionable: event.actionable ?? true,
      ...(event.nonce === undefined ? {} : { nonce: event.nonce }),
      ...(event.environment === undefined ? {} : { environment: event.environment }),
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

  /** Answers a stored event, noting for the intake metrics what became of it. */
  const answer = (res: Response, body: Awaited<ReturnType<typeof store>>) => {
    noteIntake(res, { outcome: body.quarantined ? 'quarantined' : body.duplicate ? 'duplicate' : 'stored' });
    res.status(200).json(body);
  };
  const refuse = (res: Response, next: (err: unknown) => void, err: unknown) => {
    noteIntake(res, { error: err });
    next(err);
  };
  const observed = (source: string) => observeIntake(source, deps.observeIntake);

  const merchantOf = (req: Request) => {
    const id = req.params.merchant;
    return typeof id === 'string' ? id : deps.defaultMerchantId;
  };
  const resolve = async (merchantId: string) => {
    // Anything that cannot be a merchant id is as unknown as an id no merchant has.
    if (!MERCHANT_ID.test(merchantId)) throw new NotFoundError(`unknown merchant ${merchantId.slice(0, 64)}`);
    return deps.merchants.resolve(merchantId);
  };

  for (const engineId of deps.engineIds) {
    const receive: RequestHandler = async (req, res, next) => {
      try {
        const merchantId = merchantOf(req);
        const merchant = await resolve(merchantId);
        const raw = bodyOf(req);
        const event = merchant.engine(engineId).verifyWebhook(raw, headersAsSent(req));
        answer(res, await store(engineId, merchantId, raw, event));
      } catch (err) {
        refuse(res, next, err);
      }
    };
    router.post(`/webhooks/${engineId}`, observed(engineId), rawBody, receive);
    router.post(`/webhooks/${engineId}/:merchant`, observed(engineId), rawBody, receive);
  }

  const receiveProvider: RequestHandler = async (req, res, next) => {
    try {
      const merchantId = merchantOf(req);
      const merchant = await resolve(merchantId);
      const raw = bodyOf(req);
      const host = deps.publicHost ?? req.headers.host ?? '';
      const event = merchant.verifyFlexChargeWebhook(raw, headersAsSent(req), host);
      answer(res, await store(deps.providerId, merchantId, raw, event));
    } catch (err) {
      refuse(res, next, err);
    }
  };
  router.post(`/webhooks/${deps.providerId}`, observed(deps.providerId), rawBody, receiveProvider);
  router.post(`/webhooks/${deps.providerId}/:merchant`, observed(deps.providerId), rawBody, receiveProvider);

  router.post('/webhooks/stripe-connect', observed('stripe-connect'), rawBody, async (req, res, next) => {
    try {
      if (!deps.stripeConnect)
        throw new NotFoundError('no Stripe Connect endpoint is configured (STRIPE_CONNECT_WEBHOOK_SECRET)');
      const raw = bodyOf(req);
      const event = deps.stripeConnect.verifyWebhook(raw, headersAsSent(req));
      if (!event.account) throw new ValidationError('not a Connect event: it names no connected account');
      const merchantId = await deps.merchants.merchantForStripeAccount(event.account);
      if (!merchantId) throw new NotFoundError(`no merchant is connected as ${event.account}`);
      answer(res, await store('stripe', merchantId, raw, event));
    } catch (err) {
      refuse(res, next, err);
    }
  });

  return router;
}

/** The shape migration 0007 allows for a merchant id. */
const MERCHANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
