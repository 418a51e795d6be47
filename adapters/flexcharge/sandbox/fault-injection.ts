import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { problemBody } from './problem-details.js';
import { traceIdOf } from './trace-id.js';

/**
 * Faults for testing a client's error handling: the next `times` requests to `path` get the injected
 * status and body, a delay, or a dropped connection, before any normal handling. A fault with a
 * status or a dropped connection never reaches the route, so it changes no state; a delay alone
 * only slows the request down, which is then handled normally (a slow, successful call).
 */
export const sandboxFaultSchema = z.object({
  /** Request path, e.g. `/v1/evaluate`; case-insensitive; a trailing `*` matches a prefix. */
  path: z.string().startsWith('/'),
  status: z.number().int().min(100).max(599).optional(),
  /** Response body; default a ProblemDetails for `status`. Strings are sent as text. */
  body: z.unknown().optional(),
  /** Extra response headers, e.g. `{ 'retry-after': '2' }`. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Real milliseconds to wait first. */
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** Destroy the socket without an answer. */
  dropConnection: z.boolean().optional(),
  /** How many matching requests get the fault. Default 1. */
  times: z.number().int().min(1).optional(),
});

export type SandboxFault = z.input<typeof sandboxFaultSchema>;

interface ArmedFault extends SandboxFault {
  remaining: number;
}

export class FaultInjector {
  readonly #faults: ArmedFault[] = [];

  add(fault: SandboxFault): void {
    const parsed = sandboxFaultSchema.parse(fault);
    this.#faults.push({ ...parsed, remaining: parsed.times ?? 1 });
  }

  readonly middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const fault = this.#take(req.path);
    if (!fault) return next();
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (fault.status === undefined) return next();
    for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
    res.status(fault.status);
    if (fault.body === undefined) {
      res.type('application/problem+json').json(problemBody(fault.status, 'Injected fault', traceIdOf(res)));
    } else if (typeof fault.body === 'string') {
      res.type('text/plain').send(fault.body);
    } else {
      res.json(fault.body);
    }
  };

  #take(path: string): ArmedFault | undefined {
    const wanted = path.toLowerCase();
    const index = this.#faults.findIndex((fault) => {
      const pattern = fault.path.toLowerCase();
      return pattern.endsWith('*') ? wanted.startsWith(pattern.slice(0, -1)) : wanted === pattern;
    });
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#faults.splice(index, 1);
    return fault;
  }
}
