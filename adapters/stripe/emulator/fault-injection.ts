import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

/**
 * Outages on demand, to show what a client does when Stripe fails: the next `times` API requests
 * matching `method` and `path` get `status` with Stripe's error body, before any handling, so they
 * change no state. `path` is under `/v1` (e.g. `/v1/invoices/*`; a trailing `*` matches a prefix).
 * `account` limits the fault to requests acting on that account (its own key, or `Stripe-Account`).
 */
export const stripeFaultSchema = z.object({
  method: z.enum(['GET', 'POST', 'DELETE']).optional(),
  path: z.string().startsWith('/v1/'),
  status: z.union([z.literal(429), z.number().int().min(500).max(599)]).default(500),
  times: z.number().int().min(1).default(1),
  account: z.string().startsWith('acct_').optional(),
});

export type StripeFault = z.input<typeof stripeFaultSchema>;

export class StripeFaultInjector {
  readonly #faults: (z.output<typeof stripeFaultSchema> & { remaining: number })[] = [];

  add(fault: StripeFault): void {
    const parsed = stripeFaultSchema.parse(fault);
    this.#faults.push({ ...parsed, remaining: parsed.times });
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const path = `/v1${req.path}`;
    const account = (res.locals.account as { id?: string } | undefined)?.id;
    const fault = this.#faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.account || f.account === account) &&
        (!f.method || f.method === req.method) &&
        (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : path === f.path),
    );
    if (!fault) {
      next();
      return;
    }
    fault.remaining--;
    const rateLimited = fault.status === 429;
    res.status(fault.status).json({
      error: {
        type: rateLimited ? 'invalid_request_error' : 'api_error',
        code: rateLimited ? 'rate_limit' : undefined,
        message: rateLimited
          ? 'Too many requests (injected fault).'
          : 'An error occurred with our connection to Stripe (injected fault).',
      },
    });
  };
}
