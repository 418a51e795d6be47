import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Clock } from '../../../../plugin/core/clock.js';
import type { AccountRegistry, EmulatedAccount } from '../account-registry.js';
import { sendError } from '../api-router.js';
import { MAX_BULK_RENEWALS, seedFailedRenewals } from '../bulk-renewals.js';
import { KNOWN_DECLINE_CODES } from '../decline-codes.js';
import type { EmulatorContext } from '../emulator-store.js';
import { type StripeFault, stripeFaultSchema } from '../fault-injection.js';
import { invoiceSubscriptionId } from '../invoice-lifecycle.js';
import { type StripeRateLimit, stripeRateLimitSchema } from '../rate-limit.js';
import { keyPermissionsSchema } from '../restricted-keys.js';
import { TEST_CARDS, testCardByKey } from '../test-cards.js';
import { unixSeconds } from '../time.js';

export interface ControlActions {
  runDue(): Promise<void>;
  /** Runs `task` when no billing run or webhook delivery is under way, and none starts meanwhile. */
  exclusive(task: () => Promise<void>): Promise<void>;
  /** While paused, no webhook is sent; due deliveries wait, and go out once resumed. */
  pauseWebhooks(paused: boolean): void;
  injectFault(fault: StripeFault): void;
  /** Switches an account's rate limit on, or off with `null` (see `rate-limit.ts`). */
  setRateLimit(accountId: string, limit: StripeRateLimit | null): void;
  /** A new standalone account (an unrelated merchant) with its own secret key. */
  createStandaloneAccount(): EmulatedAccount;
}

const advanceSchema = z.object({
  seconds: z.coerce
    .number()
    .positive()
    .max(10 * 366 * 86_400),
});
const failedRenewalsSchema = z.object({
  count: z.number().int().min(1).max(MAX_BULK_RENEWALS),
  price: z.string().startsWith('price_'),
  decline_code: z.string().default('insufficient_funds'),
  payment_method_metadata: z.record(z.string(), z.string()).default({}),
  subscription_metadata: z.record(z.string(), z.string()).default({}),
});
const behaviorSchema = z.object({
  decline_code: z.union([z.string().min(1), z.null(), z.literal('').transform(() => null)]),
});

/**
 * `/_emulator/…`: not Stripe's API. Moves the clock, runs due work, changes how a card behaves
 * from now on, shows the state, and creates standalone accounts. No API key: the emulator is a local
 * development tool. Routes about one account's objects act on the platform unless the request names
 * another with a `Stripe-Account` header or an `account` query parameter; the clock is shared, so
 * advancing it bills every account.
 */
export function controlRouter(registry: AccountRegistry, actions: ControlActions): express.Router {
  const router = express.Router();
  router.use(express.json(), express.urlencoded({ extended: false }));
  const ctx = registry.platform.ctx;
  const scoped = (req: Request, res: Response): EmulatedAccount | null => {
    const named =
      req.get('Stripe-Account') ?? (typeof req.query.account === 'string' ? req.query.account : null);
    if (named === null) return registry.platform;
    const account = registry.byId(named.trim());
    if (!account) notFound(res, `No such account: '${named}'`);
    return account ?? null;
  };

  router.post('/accounts', (_req, res) => {
    const account = actions.createStandaloneAccount();
    res.json({ ...account.object, secret_key: account.secretKey });
  });

  // A restricted key of the account named (the platform by default): {"permissions": {"events": "read"}}.
  router.post('/restricted_keys', (req, res) => {
    const account = scoped(req, res);
    if (!account) return;
    const parsed = keyPermissionsSchema.safeParse(req.body?.permissions ?? {});
    if (!parsed.success || account.kind === 'connected')
      return badRequest(
        res,
        'Send {"permissions": {"<resource>": "read"|"write"}} for a platform or standalone account.',
      );
    const key = registry.addRestrictedKey(account, parsed.data);
    res.json({ account: account.id, secret_key: key, permissions: parsed.data });
  });

  router.get('/accounts', (_req, res) => {
    res.json({
      object: 'list',
      data: registry.all().map((a) => ({
        id: a.id,
        kind: a.kind,
        platform: a.platformId,
        secret_key: a.secretKey,
      })),
    });
  });

  router.post('/clock/advance', async (req, res) => {
    const parsed = advanceSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, 'Send {"seconds": <positive number>}.');
    const clock = ctx.clock as Clock & { advance?: (ms: number) => unknown };
    if (typeof clock.advance !== 'function') {
      return badRequest(
        res,
        'This emulator runs on a clock that cannot be advanced (use ManualClock or OffsetClock).',
      );
    }
    clock.advance(parsed.data.seconds * 1000);
    await actions.runDue();
    res.json(clockView(ctx));
  });

  router.post('/faults', (req: Request, res: Response) => {
    const parsed = stripeFaultSchema.safeParse(req.body ?? {});
    if (!parsed.success)
      return badRequest(res, 'Send {"path": "/v1/…", "method"?: "POST", "status"?: 500, "times"?: 1}.');
    const fault = { ...parsed.data, account: parsed.data.account ?? req.get('Stripe-Account') };
    actions.injectFault(fault);
    res.json({ armed: fault });
  });

  // {"requests_per_second": 25, "retry_after"?: 1, "should_retry"?: true}, or {"requests_per_second": null} for off.
  router.post('/rate_limit', (req: Request, res: Response) => {
    const account = scoped(req, res);
    if (!account) return;
    const body = (req.body ?? {}) as { requests_per_second?: unknown };
    if (body.requests_per_second === null) {
      actions.setRateLimit(account.id, null);
      return res.json({ account: account.id, rate_limit: null });
    }
    const parsed = stripeRateLimitSchema.safeParse(body);
    if (!parsed.success)
      return badRequest(
        res,
        'Send {"requests_per_second": <whole number ≥ 1>, "retry_after"?: <seconds>, "should_retry"?: <boolean>}, or {"requests_per_second": null} to switch it off.',
      );
    actions.setRateLimit(account.id, parsed.data);
    res.json({ account: account.id, rate_limit: parsed.data });
  });

  router.post('/run_due', async (_req, res) => {
    await actions.runDue();
    res.json(clockView(ctx));
  });

  router.post('/payment_methods/:id/behavior', (req: Request, res: Response) => {
    const account = scoped(req, res);
    if (!account) return;
    const id = String(req.params.id);
    const card = account.ctx.store.cards.get(id);
    if (!card) {
      const owner = registry.all().find((a) => a.ctx.store.cards.has(id));
      return notFound(
        res,
        owner
          ? `No such PaymentMethod: '${id}' on account ${account.id}; it belongs to ${owner.id} (send Stripe-Account: ${owner.id}).`
          : `No such PaymentMethod: '${id}'`,
      );
    }
    const parsed = behaviorSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, 'Send {"decline_code": "<code>"} or {"decline_code": null}.');
    const code = parsed.data.decline_code;
    if (code !== null && !KNOWN_DECLINE_CODES.includes(code)) {
      return badRequest(res, `Unknown decline_code '${code}'. Known: ${KNOWN_DECLINE_CODES.join(', ')}.`);
    }
    card.override = { declineCode: code };
    res.json({ payment_method: id, decline_code: code, behavior: code === null ? 'succeed' : 'decline' });
  });

  // Enables a Vault and Forward destination, as Stripe support does: {"url": "https://…/v1/tokenize"}.
  router.post('/forwarding/destinations', (req, res) => {
    const url = typeof req.body?.url === 'string' ? req.body.url : '';
    try {
      ctx.settings.forwarding.allow(url);
    } catch (error) {
      badRequest(res, error instanceof Error ? error.message : String(error));
      return;
    }
    res.json(ctx.settings.forwarding.describe());
  });

  // Holds every webhook delivery back (a benchmark seeds several accounts, then lets them all go).
  router.post('/webhooks/pause', async (_req, res) => {
    await actions.exclusive(async () => actions.pauseWebhooks(true));
    res.json({ webhooks: 'paused' });
  });
  router.post('/webhooks/resume', async (_req, res) => {
    // The next run (the timer's, within 250 ms) sends what waited; this answers at once.
    actions.pauseWebhooks(false);
    res.json({ webhooks: 'resumed' });
  });

  // A benchmark's fast path (bulk-renewals.ts): `count` subscriptions whose renewal just declined.
  router.post('/bulk/failed_renewals', async (req: Request, res: Response) => {
    const account = scoped(req, res);
    if (!account) return;
    const parsed = failedRenewalsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      return badRequest(
        res,
        `Send {"count": 1..${MAX_BULK_RENEWALS}, "price": "price_…", "decline_code"?: "insufficient_funds", "payment_method_metadata"?: {}, "subscription_metadata"?: {}}.`,
      );
    }
    const body = parsed.data;
    // Nothing else may bill or deliver in the middle: the renewals go out with the next delivery run.
    await actions.exclusive(async () => {
      try {
        const result = seedFailedRenewals(
          account.ctx,
          {
            count: body.count,
            price: body.price,
            declineCode: body.decline_code,
            paymentMethodMetadata: body.payment_method_metadata,
            subscriptionMetadata: body.subscription_metadata,
            customer: (i) => ({
              email: `renewal-${i}@example.com`,
              name: 'Jenny Rosen',
              phone: '+33 1 23 45 67 89',
              address: {
                line1: '1 Rue de Rivoli',
                line2: null,
                city: 'Paris',
                postal_code: '75001',
                state: null,
                country: 'FR',
              },
            }),
          },
          unixSeconds(account.ctx.clock),
        );
        res.json({
          account: account.id,
          subscriptions: result.subscriptions,
          renewed_at: result.renewedAt,
          invoices: result.invoices,
        });
      } catch (error) {
        sendError(res, error);
      }
    });
  });

  router.get('/test_cards', (_req, res) => {
    res.json(
      TEST_CARDS.map((c) => ({
        number: c.number,
        payment_method: `pm_card_${c.key}`,
        token: `tok_${c.key}`,
        brand: c.brand,
        funding: c.funding,
        country: c.country,
        behaviour: c.description,
      })),
    );
  });

  router.get('/state', (req, res) => {
    const account = scoped(req, res);
    if (account) res.json(stateView(account, registry));
  });
  return router;
}

function clockView(ctx: EmulatorContext) {
  return { now: ctx.clock.now().toISOString(), unix: unixSeconds(ctx.clock) };
}

function stateView(account: EmulatedAccount, registry: AccountRegistry) {
  const { ctx } = account;
  const { store } = ctx;
  return {
    ...clockView(ctx),
    account: account.id,
    accounts: registry.all().map((a) => ({ id: a.id, kind: a.kind, platform: a.platformId })),
    subscriptions: [...store.subscriptions.values()].map((s) => ({
      id: s.id,
      customer: s.customer,
      status: s.status,
      current_period_end: s.items.data[0]?.current_period_end ?? null,
      default_payment_method: s.default_payment_method,
    })),
    invoices: [...store.invoices.values()].map((i) => ({
      id: i.id,
      subscription: invoiceSubscriptionId(i),
      billing_reason: i.billing_reason,
      status: i.status,
      amount_due: i.amount_due,
      attempt_count: i.attempt_count,
      auto_advance: i.auto_advance,
      next_payment_attempt: i.next_payment_attempt,
    })),
    forwarding: ctx.settings.forwarding.describe(),
    payment_methods: [...store.cards.entries()].map(([id, card]) => ({
      id,
      test_card: testCardByKey(card.testCardKey)?.description ?? card.testCardKey,
      override: card.override ?? null,
    })),
    webhooks: {
      endpoints: [...store.webhookEndpoints.values()].map(({ endpoint, connect }) => ({
        id: endpoint.id,
        url: endpoint.url,
        connect,
      })),
      pending: [...store.events.values()].flatMap((s) =>
        s.deliveries
          .filter((d) => !d.delivered)
          .map((d) => ({
            event: s.event.id,
            type: s.event.type,
            endpoint: d.endpointId,
            attempts: d.attempts.length,
            next_attempt_at: d.nextAttemptAt,
          })),
      ),
    },
    events: store.events.size,
  };
}

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: { type: 'invalid_request_error', message } });
}

function notFound(res: Response, message: string): void {
  res.status(404).json({ error: { type: 'invalid_request_error', code: 'resource_missing', message } });
}
