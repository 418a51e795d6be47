import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { newestFirst, paginate } from '../pagination.js';
import { boolean, expand, pagination } from '../param-schemas.js';

const listSchema = z.strictObject({
  ...pagination,
  type: z.string().optional(),
  types: z.array(z.string()).optional(),
  delivery_success: boolean.optional(),
});

/** `/v1/events`: every event the emulator created, newest first; `type` accepts `invoice.*`. */
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
