import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { newestFirst, paginate } from '../pagination.js';
import { boolean, expand, integer, pagination } from '../param-schemas.js';

/** `created=<ts>` or `created[gt|gte|lt|lte]=<ts>`, Unix seconds, as on every Stripe list. */
const created = z.union([
  integer,
  z.strictObject({
    gt: integer.optional(),
    gte: integer.optional(),
    lt: integer.optional(),
    lte: integer.optional(),
  }),
]);

const listSchema = z.strictObject({
  ...pagination,
  created: created.optional(),
  type: z.string().optional(),
  types: z.array(z.string()).optional(),
  delivery_success: boolean.optional(),
});

/**
 * `/v1/events`: every event the emulator created, newest first; `type` accepts `invoice.*`; `created`
 * narrows to a time range, `delivery_success` to events whose every delivery succeeded (or not).
 */
export function registerEventRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;

  api.get(
    '/events/:id',
    z.strictObject({ expand }),
    ({ path }) => mustGet(store.events, path.id ?? '', 'event').event,
  );

  api.get('/events', listSchema, ({ params }) => {
    const states = newestFirst(store.events.values()).filter(
      (s) =>
        typeMatches(s.event.type, params.type, params.types) &&
        createdMatches(s.event.created, params.created) &&
        (params.delivery_success === undefined ||
          s.deliveries.every((d) => d.delivered) === params.delivery_success),
    );
    return paginate(
      states.map((s) => s.event),
      params,
      '/v1/events',
      'event',
    );
  });
}

function typeMatches(type: string, single: string | undefined, many: string[] | undefined): boolean {
  const wanted = many ?? (single ? [single] : []);
  if (wanted.length === 0) return true;
  return wanted.some((w) => (w.endsWith('.*') ? type.startsWith(w.slice(0, -1)) : w === type));
}

function createdMatches(at: number, range: z.output<typeof created> | undefined): boolean {
  if (range === undefined) return true;
  if (typeof range === 'number') return at === range;
  return (
    (range.gt === undefined || at > range.gt) &&
    (range.gte === undefined || at >= range.gte) &&
    (range.lt === undefined || at < range.lt) &&
    (range.lte === undefined || at <= range.lte)
  );
}
