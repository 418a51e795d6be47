import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { copy, type EmulatorContext } from './emulator-store.js';
import type { EventOrigin } from './emulator-types.js';
import { apiError, StripeApiError, unrecognizedUrl } from './errors.js';
import { expandResponse } from './expand.js';
import { decodeFormParams, type FormObject, queryStringOf } from './form-params.js';
import { beginIdempotent, type IdempotentCall } from './idempotency.js';
import { unixSeconds } from './time.js';
import { validateParams } from './validate-params.js';

export interface RouteCall<P> {
  params: P;
  /** Path parameters (`:id`). */
  path: Record<string, string>;
  /** Becomes `request` on the events this call causes. */
  origin: EventOrigin;
  now: number;
  /** The key the request authenticated with (for errors that quote it masked, as Stripe's do). */
  apiKey: string;
}

type Method = 'delete' | 'get' | 'post';
/**
 * Most handlers answer at once; a handler that calls out (a forwarding request) returns a promise.
 * Synchronous handlers stay synchronous so their changes to the store never interleave.
 */
type Handler<S extends z.ZodType> = (call: RouteCall<z.output<S>>) => object | Promise<object>;

/**
 * One account's Stripe-facing routes: every route is declared with its zod schema, and this class does
 * what Stripe does around each one — form/query decoding, parameter validation, `Idempotency-Key`
 * replay on POST (in this account's store, so keys are per account), `expand[]`, and errors in Stripe's
 * shape. Authentication and choosing the account happen before, in `api-gateway.ts`.
 * Handlers return the stored object (or a promise of it); the client gets a deep copy. While an
 * async handler runs, its idempotency key is in progress: the same key again gets Stripe's 409.
 */
export class StripeApiRouter {
  readonly router = express.Router();

  constructor(private readonly ctx: EmulatorContext) {}

  get<S extends z.ZodType>(path: string, schema: S, handler: Handler<S>): void {
    this.route('get', path, schema, handler);
  }

  post<S extends z.ZodType>(path: string, schema: S, handler: Handler<S>): void {
    this.route('post', path, schema, handler);
  }

  delete<S extends z.ZodType>(path: string, schema: S, handler: Handler<S>): void {
    this.route('delete', path, schema, handler);
  }

  /** Must be registered after every route: unknown URLs answer like Stripe's. */
  finish(): void {
    this.router.use((req, res) => sendError(res, unrecognizedUrl(req.method, req.baseUrl + req.path)));
  }

  private route<S extends z.ZodType>(method: Method, path: string, schema: S, handler: Handler<S>): void {
    this.router[method](path, async (req: Request, res: Response) => {
      const requestId = res.locals.requestId as string;
      const raw = rawParams(req, method);
      const key = method === 'post' ? (req.get('Idempotency-Key') ?? null) : null;
      let idempotent: IdempotentCall | null = null;
      try {
        if (key) {
          idempotent = beginIdempotent(this.ctx, key, {
            method: 'POST',
            path: req.baseUrl + req.path,
            params: raw,
          });
          if (idempotent.replay) {
            res.set('Idempotent-Replayed', 'true');
            res.set('Original-Request', idempotent.replay.requestId);
            res.set('Idempotency-Key', key);
            res.status(idempotent.replay.status).json(idempotent.replay.body);
            return;
          }
        }
        let params: z.output<S>;
        try {
          params = validateParams(schema, raw);
        } catch (invalid) {
          // Stripe keeps no result for a request that failed validation: the key can be reused.
          idempotent?.abandon();
          idempotent = null;
          throw invalid;
        }
        const origin = { id: requestId, idempotency_key: key };
        const result = await this.execute(handler, params, req, origin, raw, String(res.locals.apiKey ?? ''));
        idempotent?.complete(200, result, requestId);
        if (key) res.set('Idempotency-Key', key);
        res.status(200).json(result);
      } catch (error) {
        const failure = toApiError(error, this.ctx);
        idempotent?.complete(failure.status, { error: failure.body }, requestId);
        sendError(res, failure);
      }
    });
  }

  private async execute<S extends z.ZodType>(
    handler: Handler<S>,
    params: z.output<S>,
    req: Request,
    origin: EventOrigin,
    raw: FormObject,
    apiKey: string,
  ): Promise<object> {
    const call: RouteCall<z.output<S>> = {
      params,
      path: req.params as Record<string, string>,
      origin,
      now: unixSeconds(this.ctx.clock),
      apiKey,
    };
    const answered = handler(call);
    const result = copy(answered instanceof Promise ? await answered : answered);
    const expand = Array.isArray(raw.expand)
      ? raw.expand.filter((p): p is string => typeof p === 'string')
      : [];
    return expandResponse(this.ctx, result, expand) as object;
  }
}

function rawParams(req: Request, method: Method): FormObject {
  if (method !== 'post') return decodeFormParams(queryStringOf(req.originalUrl));
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  return decodeFormParams(body);
}

function toApiError(error: unknown, ctx: EmulatorContext): StripeApiError {
  if (error instanceof StripeApiError) return error;
  ctx.settings.log(
    `stripe-emulator: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return apiError('An unexpected error occurred in the Stripe emulator.');
}

export function sendError(res: Response, error: unknown): void {
  const failure =
    error instanceof StripeApiError
      ? error
      : apiError('An unexpected error occurred in the Stripe emulator.');
  res.status(failure.status).json({ error: failure.body });
}
