import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { copy, type EmulatorContext, mustGet } from '../emulator-store.js';
import { EMULATED_API_VERSION } from '../emulator-types.js';
import { invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import { buildWebhookEndpoint } from '../objects/webhook-endpoint.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, boolean, expand, metadata, pagination } from '../param-schemas.js';

const url = z.url({ protocol: /^https?$/, error: 'Invalid URL: must be an http or https URL' });
const eventType = z
  .string()
  .regex(/^(\*|[a-z_]+(\.[a-z_]+)+|[a-z_]+\.\*)$/, { message: 'Invalid event type' });

const createSchema = z.strictObject({
  url,
  enabled_events: z.array(eventType).min(1),
  description: z.string().optional(),
  api_version: z.string().optional(),
  connect: boolean.optional(),
  metadata: metadata.optional(),
  expand,
});

const updateSchema = z.strictObject({
  url: url.optional(),
  enabled_events: z.array(eventType).min(1).optional(),
  description: z.string().optional(),
  disabled: boolean.optional(),
  metadata: metadata.optional(),
  expand,
});

/**
 * `/v1/webhook_endpoints`: the create response is the only one that carries the signing `secret`.
 * `connect=true` (create only, as on Stripe) makes a Connect endpoint; the object never shows it.
 */
export function registerWebhookEndpointRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;
  const find = (id: string) => mustGet(store.webhookEndpoints, id, 'webhook endpoint');

  api.post('/webhook_endpoints', createSchema, ({ params, now }) => {
    if (params.api_version && params.api_version !== EMULATED_API_VERSION) {
      throw invalidRequest(
        `The Stripe emulator only renders events in API version ${EMULATED_API_VERSION}.`,
        {
          param: 'api_version',
        },
      );
    }
    const endpoint = buildWebhookEndpoint({
      id: newId('webhook_endpoint'),
      created: now,
      url: params.url,
      enabledEvents: params.enabled_events,
      description: params.description || null,
      apiVersion: params.api_version ?? null,
      metadata: applyMetadata({}, params.metadata),
    });
    const secret = newId('webhook_secret');
    store.webhookEndpoints.set(endpoint.id, { endpoint, secret, connect: params.connect ?? false });
    return { ...copy(endpoint), secret };
  });

  api.get('/webhook_endpoints/:id', z.strictObject({ expand }), ({ path }) => find(path.id ?? '').endpoint);

  api.post('/webhook_endpoints/:id', updateSchema, ({ params, path }) => {
    const { endpoint } = find(path.id ?? '');
    if (params.url !== undefined) endpoint.url = params.url;
    if (params.enabled_events !== undefined) endpoint.enabled_events = params.enabled_events;
    if (params.description !== undefined) endpoint.description = params.description || null;
    if (params.disabled !== undefined) endpoint.status = params.disabled ? 'disabled' : 'enabled';
    endpoint.metadata = applyMetadata(endpoint.metadata, params.metadata);
    return endpoint;
  });

  api.delete('/webhook_endpoints/:id', z.strictObject({}), ({ path }) => {
    const { endpoint } = find(path.id ?? '');
    store.webhookEndpoints.delete(endpoint.id);
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  });

  api.get('/webhook_endpoints', z.strictObject(pagination), ({ params }) => {
    const endpoints = newestFirst(store.webhookEndpoints.values()).map((e) => e.endpoint);
    return paginate(endpoints, params, '/v1/webhook_endpoints', 'webhook endpoint');
  });
}
