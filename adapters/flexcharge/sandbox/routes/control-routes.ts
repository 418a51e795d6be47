import express, { Router as createRouter, type Response, type Router } from 'express';
import { z } from 'zod';
import { ManualClock, OffsetClock } from '../../../../plugin/core/clock.js';
import { type SandboxFault, sandboxFaultSchema } from '../fault-injection.js';
import { orderBody } from '../order-views.js';
import { sendProblem } from '../problem-details.js';
import type { SandboxContext } from '../sandbox-context.js';
import type { SandboxWebhookTarget } from '../sandbox-options.js';

/** What the control routes drive; the sandbox object itself. */
export interface SandboxControls {
  runDue(): Promise<void>;
  setWebhook(target: SandboxWebhookTarget | undefined, options?: { mid?: string }): void;
  injectFault(fault: SandboxFault): void;
}

const advanceSchema = z.object({
  seconds: z
    .number()
    .positive()
    .max(365 * 24 * 3600),
});
const webhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  subscriberKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
  mid: z.string().min(1).optional(),
});
const midQuery = z.object({ mid: z.string().min(1).optional() });

/**
 * `/_sandbox/...`: not FlexCharge's API but the sandbox's own controls (README.md). They take no
 * credentials: the sandbox is a local development tool and listens on 127.0.0.1 by default.
 */
export function controlRoutes(ctx: SandboxContext, controls: SandboxControls): Router {
  const router = createRouter();
  router.use(express.json());
  const { clock } = ctx.options;

  router.post('/clock/advance', (req, res) => {
    const parsed = advanceSchema.safeParse(req.body);
    if (!parsed.success) return void sendProblem(res, 400, 'Send {"seconds": <positive number>}.');
    if (!(clock instanceof ManualClock || clock instanceof OffsetClock)) {
      return void sendProblem(res, 409, 'This sandbox runs on a clock that cannot be moved.');
    }
    clock.advance(parsed.data.seconds * 1000);
    res.json({ now: clock.now().toISOString() });
  });

  router.post('/run-due', async (_req, res) => {
    await controls.runDue();
    res.json({ now: clock.now().toISOString(), pendingWebhooks: ctx.webhooks.pendingCount });
  });

  router.post('/faults', (req, res) => {
    const parsed = sandboxFaultSchema.safeParse(req.body);
    if (!parsed.success) return void sendProblem(res, 400, 'Invalid fault.', z.prettifyError(parsed.error));
    controls.injectFault(parsed.data);
    res.status(201).json(parsed.data);
  });

  router.put('/webhook', (req, res) => {
    const parsed = webhookSchema.safeParse(req.body);
    if (!parsed.success)
      return void sendProblem(res, 400, 'Invalid webhook target.', z.prettifyError(parsed.error));
    const { mid, ...target } = parsed.data;
    if (!setWebhookOrRefuse(res, () => controls.setWebhook(target, mid ? { mid } : {}))) return;
    res.json({ url: target.url, ...(mid ? { mid } : {}) });
  });

  router.delete('/webhook', (req, res) => {
    const { mid } = midQuery.parse({ mid: typeof req.query.mid === 'string' ? req.query.mid : undefined });
    if (!setWebhookOrRefuse(res, () => controls.setWebhook(undefined, mid ? { mid } : {}))) return;
    res.status(204).end();
  });

  router.get('/orders', (_req, res) => {
    res.json(
      [...ctx.orders.byKey.values()].map((order) => ({
        ...orderBody(order),
        rule: order.rule,
        mid: order.mid,
        site: order.site,
        orderSource: order.orderSource,
      })),
    );
  });

  router.get('/deliveries', (_req, res) => {
    res.json(ctx.webhooks.attempts);
  });
  return router;
}

/** An unknown MID is the caller's mistake: 400, nothing changed. */
function setWebhookOrRefuse(res: Response, set: () => void): boolean {
  try {
    set();
    return true;
  } catch (error) {
    sendProblem(res, 400, 'Invalid webhook target.', error instanceof Error ? error.message : String(error));
    return false;
  }
}
