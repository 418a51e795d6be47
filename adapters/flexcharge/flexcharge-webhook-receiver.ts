import type { Clock } from '../../plugin/core/clock.js';
import { SignatureError, ValidationError } from '../../plugin/core/errors.js';
import type { ProviderWebhookEvent } from '../../plugin/core/rescue-provider.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import { webhookPayloadSchema } from './wire/webhook-payload.js';

/**
 * Verifies a FlexCharge webhook (signature, date, then body shape) and reduces it to the workflow's
 * hint. The id is order + event, so FlexCharge's re-sends (`IsResent`) land on the same inbox row.
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
    ): ProviderWebhookEvent & { nonce: string } {
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
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new ValidationError('webhook body is not JSON');
      }
      const parsed = webhookPayloadSchema.safeParse(json);
      if (!parsed.success) {
        const fields: Record<string, string[]> = {};
        for (const issue of parsed.error.issues) {
          const path = issue.path.join('.') || 'body';
          fields[path] = [...(fields[path] ?? []), issue.message];
        }
        throw new ValidationError('webhook body does not match the FlexCharge payload', fields);
      }
      const p = parsed.data;
      return {
        id: `${p.OrderId}:${p.Event}`,
        type: p.Event,
        orderId: p.OrderId,
        merchantOrderId: p.ExternalOrderId ?? null,
        confirmationId: p.ConfirmationId ?? null,
        isResent: p.IsResent,
        nonce,
      };
    },
  };
}
