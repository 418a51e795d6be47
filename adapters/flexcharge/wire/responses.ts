import { z } from 'zod';

/**
 * Response bodies, parsed tolerantly: unknown fields pass through (the API promises to grow them)
 * and most documented fields may be missing or null (contract §3, §14).
 */

const envelopeFields = {
  success: z.boolean().nullish(),
  result: z.string().nullish(),
  statusCode: z.string().nullish(),
  errors: z.array(z.unknown()).nullish(),
  customProperties: z.record(z.string(), z.unknown()).nullish(),
};

export const tokenResponseSchema = z.looseObject({
  ...envelopeFields,
  accessToken: z.string().min(1),
  refreshToken: z.string().nullish(),
  /** Expiry in Unix epoch milliseconds. */
  expires: z.number(),
  id: z.string().nullish(),
});

/** Statuses evaluate answers with; open to values the API may add. */
export type EvaluateStatus =
  | 'APPROVED'
  | 'DECLINED'
  | 'CHALLENGE'
  | 'SUBMITTED'
  | 'CAPTUREREQUIRED'
  | 'PROCESSING';
export type OutcomeStatus =
  | 'APPROVED'
  | 'DECLINED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'SUBMITTED'
  | 'PROCESSING'
  | 'NOTFOUND';

export const evaluateResponseSchema = z.looseObject({
  ...envelopeFields,
  status: z.string().nullish(),
  orderSessionKey: z.string().nullish(),
  orderId: z.string().nullish(),
  senseKey: z.string().nullish(),
});

export const transmitResponseSchema = z.looseObject({
  ...envelopeFields,
  status: z.union([z.string(), z.number()]).nullish(),
  transmitId: z.string().nullish(),
});

export const outcomeResponseSchema = z.looseObject({
  ...envelopeFields,
  status: z.string().nullish(),
  confirmationId: z.string().nullish(),
});

export const tokenizeResponseSchema = z.looseObject({
  ...envelopeFields,
  status: z.string().nullish(),
  transaction: z.looseObject({
    succeeded: z.boolean().nullish(),
    payment_method: z.looseObject({
      token: z.string().min(1),
      last_four_digits: z.string().nullish(),
      first_six_digits: z.string().nullish(),
      month: z.number().nullish(),
      year: z.number().nullish(),
    }),
  }),
});

/** `GET /orders/{id}` (contract §8.1): `status` is numeric (0 Draft … 7 Completed), `statusName` its text. */
export const ORDER_STATUS_NAMES = [
  'DRAFT',
  'ONHOLD',
  'CANCELLED',
  'PROBLEM',
  'PROCESSING',
  'CAPTUREREQUIRED',
  'RETURNED',
  'COMPLETED',
] as const;

/**
 * Only `id` is required. `status` is documented as an integer but read as a name too, in case a
 * version serialises the enum as text. `amount` (minor units, like every FlexCharge amount but
 * /refund's), `currencyCode` and `confirmationId` are beyond the readable part of the docs: read
 * when present, never assumed.
 */
export const orderResponseSchema = z.looseObject({
  id: z.string().min(1),
  status: z.union([z.number().int(), z.string()]).nullish(),
  statusName: z.string().nullish(),
  confirmationId: z.string().nullish(),
  amount: z.number().nullish(),
  currencyCode: z.string().nullish(),
  orderPlacedDate: z.string().nullish(),
  expiryDate: z.string().nullish(),
  referenceNumber: z.string().nullish(),
  correlationId: z.string().nullish(),
});

export const refundResponseSchema = z.looseObject({
  ...envelopeFields,
  status: z.string().nullish(),
  responseCode: z.string().nullish(),
  responseMessage: z.string().nullish(),
  transactionId: z.string().nullish(),
});

export type TokenResponse = z.infer<typeof tokenResponseSchema>;
export type EvaluateResponse = z.infer<typeof evaluateResponseSchema>;
export type TransmitResponse = z.infer<typeof transmitResponseSchema>;
export type OutcomeResponse = z.infer<typeof outcomeResponseSchema>;
export type TokenizeResponse = z.infer<typeof tokenizeResponseSchema>;
export type OrderResponse = z.infer<typeof orderResponseSchema>;
export type RefundResponse = z.infer<typeof refundResponseSchema>;
