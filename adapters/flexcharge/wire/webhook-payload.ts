import { z } from 'zod';

/** FlexCharge webhook events (contract §9.2) the plugin acts on; others are accepted and ignored. */
export const ORDER_WEBHOOK_EVENTS = [
  'order.completed',
  'order.expired',
  'order.cancelled',
  'order.refunded',
] as const;
export type OrderWebhookEvent = (typeof ORDER_WEBHOOK_EVENTS)[number];

/** The webhook body: PascalCase, unlike the API (contract §9.3). */
export const webhookPayloadSchema = z.looseObject({
  Event: z.string().min(1),
  TimeStamp: z.string().min(1),
  EventData: z.unknown().nullish(),
  /** The merchant's orderId as sent to /evaluate. */
  ExternalOrderId: z.string().nullish(),
  /** FlexCharge's order id (= orderSessionKey). */
  OrderId: z.string().min(1),
  ConfirmationId: z.string().nullish(),
  IsTestMode: z.boolean(),
  IsResent: z.boolean(),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
