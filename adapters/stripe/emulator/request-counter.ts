import type express from 'express';

/** An object id in a path (`in_1Q…`, `cus_Ab…`), as opposed to a resource name (`payment_methods`). */
const OBJECT_ID = /^[a-z]{2,8}_(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]{8,}$/;

/** `POST /v1/invoices/in_1Q…/pay` → `POST /v1/invoices/:id/pay`: one count per kind of call. */
export function requestShape(method: string, path: string): string {
  const shape = path
    .split('/')
    .map((segment) => (OBJECT_ID.test(segment) ? ':id' : segment))
    .join('/');
  return `${method.toUpperCase()} ${shape}`;
}

/**
 * Counts the API requests the emulator answers, by kind, across accounts: what a client costs in
 * Stripe requests (each counts against Stripe's rate limit), for budgets in tests and benchmarks.
 */
export class RequestCounter {
  readonly #counts = new Map<string, number>();

  readonly middleware: express.RequestHandler = (req, _res, next) => {
    const shape = requestShape(req.method, `${req.baseUrl}${req.path}`);
    this.#counts.set(shape, (this.#counts.get(shape) ?? 0) + 1);
    next();
  };

  /** Requests per kind since the last reset, most frequent first. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1]));
  }

  total(): number {
    let sum = 0;
    for (const count of this.#counts.values()) sum += count;
    return sum;
  }

  reset(): void {
    this.#counts.clear();
  }
}
