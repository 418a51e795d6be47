import type Stripe from 'stripe';

export interface WebhookEndpointFields {
  id: string;
  created: number;
  url: string;
  enabledEvents: string[];
  description: string | null;
  apiVersion: string | null;
  metadata: Record<string, string>;
}

/** The stored endpoint never carries `secret`; only the create response does, as on Stripe. */
export function buildWebhookEndpoint(fields: WebhookEndpointFields): Stripe.WebhookEndpoint {
  return {
    id: fields.id,
    object: 'webhook_endpoint',
    api_version: fields.apiVersion,
    application: null,
    created: fields.created,
    description: fields.description,
    enabled_events: fields.enabledEvents,
    livemode: false,
    metadata: fields.metadata,
    status: 'enabled',
    url: fields.url,
  };
}
