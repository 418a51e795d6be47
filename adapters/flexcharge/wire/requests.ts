import { z } from 'zod';
import {
  additionalFieldSchema,
  addressSchema,
  billingInformationSchema,
  cardDescriptionSchema,
  cents,
  currency,
  isoDateTime,
  merchantSchema,
  orderItemSchema,
  payerSchema,
  paymentMethodSchema,
  subscriptionSchema,
  threeDSecureSchema,
  transactionSchema,
} from './objects.js';

/** Request bodies of the FlexCharge API (contract §2, §4–§8), camelCase as on the wire. */

export const tokenRequestSchema = z.object({ appKey: z.string().min(1), appSecret: z.string().min(1) });

const orderFields = {
  orderId: z.string().min(1, "Merchant's orderId is required"),
  orderSource: z.string().optional(),
  mid: z.uuid().optional(),
  siteId: z.uuid().optional(),
  siteUrl: z.url().optional(),
  isMIT: z.boolean().optional(),
  isRecurring: z.boolean().optional(),
  subscription: subscriptionSchema.nullable().optional(),
  transaction: transactionSchema,
  payer: payerSchema,
  billingInformation: billingInformationSchema.optional(),
  shippingInformation: addressSchema.optional(),
  orderItems: z.array(orderItemSchema).optional(),
  merchant: merchantSchema.nullable().optional(),
  additionalFields: z.array(additionalFieldSchema).optional(),
};

export const evaluateRequestSchema = z.object({
  ...orderFields,
  isDeclined: z.boolean(),
  idempotencyKey: z.string().min(1),
  customerIp: z.string().optional(),
  transactionType: z.enum(['AUTHORIZATION', 'PURCHASE']).optional(),
  expiryDateUtc: isoDateTime.optional(),
  threeDSecure: threeDSecureSchema.optional(),
  senseKey: z.string().nullable().optional(),
  correlationId: z.string().optional(),
  paymentMethod: paymentMethodSchema,
});

export const transmitRequestSchema = z.object({
  ...orderFields,
  isDeclined: z.boolean(),
  paymentMethod: cardDescriptionSchema.optional(),
});

export const outcomeRequestSchema = z.object({ orderSessionKey: z.string().min(1) });

/** /tokenize takes the card in snake_case (contract §4). The PAN never leaves the client's memory. */
export const tokenizeRequestSchema = z.object({
  payment_method: z.object({
    sense_key: z.string().optional(),
    email: z.string().optional(),
    credit_card: z.object({
      first_name: z.string().min(1),
      last_name: z.string().min(1),
      number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
      // Contract §4: "leave empty if you don't have it", so an empty string is allowed.
      verification_value: z
        .string()
        .regex(/^(\d{3,4})?$/)
        .optional(),
      month: z.string().regex(/^(0[1-9]|1[0-2])$/, 'must be MM'),
      year: z.string().regex(/^\d{4}$/, 'must be YYYY'),
    }),
  }),
});

/** `amountToRefund` is decimal **dollars** (major units), unlike every other amount (contract §8.3). */
export const refundRequestSchema = z.object({
  amountToRefund: z.number().positive().multipleOf(0.01),
  refundMessage: z.string().optional(),
});

export const cancelRequestSchema = z.object({ idempotencyKey: z.string().min(1).optional() });

export const captureRequestSchema = z.object({
  idempotencyKey: z.string().min(1),
  orderId: z.string().min(1),
  amount: cents,
  currency,
});

export type TokenRequest = z.infer<typeof tokenRequestSchema>;
export type EvaluateRequest = z.infer<typeof evaluateRequestSchema>;
export type TransmitRequest = z.infer<typeof transmitRequestSchema>;
export type OutcomeRequest = z.infer<typeof outcomeRequestSchema>;
export type TokenizeRequest = z.infer<typeof tokenizeRequestSchema>;
export type RefundRequest = z.infer<typeof refundRequestSchema>;
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
