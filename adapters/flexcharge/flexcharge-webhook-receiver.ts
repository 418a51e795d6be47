import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../plugin/core/clock.js';
import { SignatureError, ValidationError } from '../../plugin/core/errors.js';
import type { ProviderWebhookEvent } from '../../plugin/core/rescue-provider.js';
import { redact } from './redact.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import {
  ORDER_WEBHOOK_EVENTS,
  type OrderWebhookEvent,
  webhookPayloadSchema,
} from './wire/webhook-payload.js';

/** A FlexCharge webhook whose signature verified, ready for the inbox. */
export interface FlexChargeWebhook {
  readonly id: string;
  readonly type: string;
  readonly nonce: string;
  /**
   * True for the order events the workflow acts on; the others (payouts, chargebacks, challenges,
   * capture notices) are acknowledged and kept for finance and support, and nothing is done.
   */
  readonly actionable: boolean;
  /** The workflow's hint for an order event; for the others, the body as sent, card data masked. */
  readonly payload: ProviderWebhookEvent | Readonly<Record<string, unknown>>;
}

// All any event must carry for us to know what it is; other fields vary by kind (contract §9.2).
const envelopeSchema = z.looseObject({ Event: z.string().min(1), OrderId: z.string().nullish() });

/**
 * Verifies a FlexCharge webhook (signature, date, then body shape) and reduces an order event to the
 * workflow's hint. Its id is order + event, so FlexCharge's re-sends (`IsResent`) land on one row.
 */
export function createFlexChargeWebhookReceiver(options: {
  subscriberKey: string | undefined;
  clock: Clock;
}) {
  const { subscriberKey } = options;
  return {
    verify(
      rawBody: Buffer,
      headers: Readonly<Record<string, string | string[] | undefined>>,
      host: string,
    ): FlexChargeWebhook {
      // Without a key nothing can be verified, and an unverifiable webhook is refused, never trusted.
      if (!subscriberKey)
        throw new SignatureError('FLEXCHARGE_WEBHOOK_KEY is not set: FlexCharge webhooks cannot be verified');
      const { nonce } = verifyWebhookSignature({
        subscriberKey,
        host,
        rawBody,
        headers,
        now: options.clock.now(),
      });
      const json = parseJson(rawBody);
      const envelope = parseWith(envelopeSchema, json);
      if (isOrderEvent(envelope.Event)) return { ...orderEvent(json), nonce };
      return {
        id: noticeId(envelope.Event, envelope.OrderId, json as Record<string, unknown>),
        type: envelope.Event,
        nonce,
        actionable: false,
        payload: redact(json) as Record<string, unknown>,
      };
    },
  };
}

function isOrderEvent(event: string): event is OrderWebhookEvent {
  return (ORDER_WEBHOOK_EVENTS as readonly string[]).includes(event);
}

function orderEvent(json: unknown): Omit<FlexChargeWebhook, 'nonce'> {
  const p = parseWith(webhookPayloadSchema, json);
  const hint: ProviderWebhookEvent = {
    id: `${p.OrderId}:${p.Event}`,
    type: p.Event,
    orderId: p.OrderId,
    merchantOrderId: p.ExternalOrderId ?? null,
    confirmationId: p.ConfirmationId ?? null,
    isResent: p.IsResent,
  };
  return { id: hint.id, type: hint.type, actionable: true, payload: hint };
}

/**
 * Notices need not name an order (payouts do not), and one order may see several of a kind
 * (challenge attempts): the id is the content's digest, less `IsResent`, so only re-sends collide.
 */
function noticeId(event: string, orderId: string | null | undefined, body: Record<string, unknown>): string {
  const { IsResent: _resent, ...content } = body;
  // Through `redact` for its depth bound: a hostile nesting must not overflow `JSON.stringify`.
  const digest = createHash('sha256')
    .update(JSON.stringify(redact(content)))
    .digest('hex')
    .slice(0, 32);
  return `${event}:${orderId ?? '-'}:${digest}`;
}

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ValidationError('webhook body is not JSON');
  }
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.') || 'body';
    fields[path] = [...(fields[path] ?? []), issue.message];
  }
  throw new ValidationError('webhook body does not match the FlexCharge payload', fields);
}
