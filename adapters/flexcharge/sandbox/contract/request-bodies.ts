import { z } from 'zod';
import { cents, currencyCode, guid, isoDateTime, requiredGuid, requiredText } from './field-formats.js';
import {
  additionalFieldSchema,
  addressSchema,
  cardDescriptionSchema,
  merchantSchema,
  orderItemSchema,
  payerSchema,
  paymentMethodSchema,
  subscriptionSchema,
  threeDSecureSchema,
  transactionSchema,
} from './order-objects.js';

/**
 * Request bodies of the API the sandbox serves (contract §2, §4–§8), as the sandbox reads the
 * contract. Non-optional fields are required by every version of it; see required-fields.ts for the
 * rest.
 */

/** §2. `AppKey`/`appKey` bind alike. */
export const tokenBodySchema = z.object({ appKey: requiredText, appSecret: requiredText });

/** §6.1. `mid` and `isMIT` are required since 2026, `billingInformation` in every version. */
export const evaluateBodySchema = z.object({
  isDeclined: z.boolean(),
  idempotencyKey: requiredGuid,
  orderId: requiredText,
  mid: requiredGuid,
  isMIT: z.boolean(),
  siteId: guid.optional(),
  siteUrl: z.string().optional(),
  customerIp: z.string().optional(),
  transactionType: z.enum(['AUTHORIZATION', 'PURCHASE']).optional(),
  orderSource: z.string().optional(),
  isRecurring: z.boolean().optional(),
  expiryDateUtc: isoDateTime.optional(),
  subscription: subscriptionSchema.nullable().optional(),
  threeDSecure: threeDSecureSchema.optional(),
  senseKey: z.string().nullable().optional(),
  correlationId: z.string().optional(),
  transaction: transactionSchema,
  payer: payerSchema,
  billingInformation: addressSchema,
  shippingInformation: addressSchema.optional(),
  paymentMethod: paymentMethodSchema,
  orderItems: z.array(orderItemSchema).optional(),
  merchant: merchantSchema.nullable().optional(),
  additionalFields: z.array(additionalFieldSchema).optional(),
});

/** §5: a copy of a processed transaction. `mid` is for partners; the card is described, never sent. */
export const transmitBodySchema = z.object({
  isDeclined: z.boolean(),
  orderId: requiredText,
  isMIT: z.boolean(),
  mid: guid.optional(),
  siteId: guid.optional(),
  siteUrl: z.string().optional(),
  orderSource: z.string().optional(),
  sequenceNumber: z.string().optional(),
  isRecurring: z.boolean().optional(),
  subscription: subscriptionSchema.nullable().optional(),
  transaction: transactionSchema,
  payer: payerSchema,
  paymentMethod: cardDescriptionSchema,
  billingInformation: addressSchema.optional(),
  shippingInformation: addressSchema.optional(),
  merchant: merchantSchema.nullable().optional(),
  orderItems: z.array(orderItemSchema).optional(),
  additionalFields: z.array(additionalFieldSchema).optional(),
});

/** §7. */
export const outcomeBodySchema = z.object({ orderSessionKey: requiredText });

/** §4, snake_case. First and last name are required by the newer page, recommended by the older. */
export const tokenizeBodySchema = z.object({
  payment_method: z.object({
    sense_key: z.string().optional(),
    email: z.string().optional(),
    credit_card: z.object({
      first_name: requiredText,
      last_name: requiredText,
      number: z.string().regex(/^[\d\s-]{12,23}$/, 'must be a card number'),
      // "Leave empty if you don't have it": the empty string is allowed.
      verification_value: z
        .string()
        .regex(/^(\d{3,4})?$/)
        .optional(),
      month: z.string().regex(/^(0[1-9]|1[0-2])$/, 'must be MM'),
      year: z.string().regex(/^\d{4}$/, 'must be YYYY'),
    }),
  }),
});

/** §8.3: `amountToRefund` is decimal dollars, the one amount that is not cents. */
export const refundBodySchema = z.object({
  amountToRefund: z.number().positive().multipleOf(0.01),
  refundMessage: z.string().optional(),
  isPartialRefund: z.boolean().optional(),
});

/** §8.4: no body, or an optional idempotency key. */
export const cancelBodySchema = z.object({ idempotencyKey: guid.optional() });

/** §8.5. */
export const captureBodySchema = z.object({
  idempotencyKey: requiredGuid,
  orderId: requiredGuid,
  amount: cents,
  currency: currencyCode,
});

export type EvaluateBody = z.infer<typeof evaluateBodySchema>;
export type TransmitBody = z.infer<typeof transmitBodySchema>;
