import { z } from 'zod';
import {
  cents,
  countryCode,
  currencyCode,
  isoDate,
  isoDateTime,
  requiredText,
  SUBSCRIPTION_INTERVALS,
} from './field-formats.js';

/**
 * The objects inside evaluate and transmit bodies (contract §6.2–§6.11), camelCase as on the wire.
 * A field is non-optional here only when every version of the contract requires it; requirements
 * that depend on the request or on the sandbox's switches live in required-fields.ts. Unknown keys
 * are dropped, as ASP.NET model binding ignores them.
 */

/** §6.2: the declined PSP attempt. The 2024-only required codes are enforced by required-fields.ts. */
export const transactionSchema = z.object({
  id: requiredText,
  timestampUtc: isoDateTime,
  timezoneUtcOffset: z.number().int().min(-12).max(14).optional(),
  amount: cents,
  currency: currencyCode,
  responseCode: z.string().optional(),
  responseDescription: z.string().optional(),
  responseStatus: z.string().optional(),
  responseSubStatus: z.string().nullable().optional(),
  responseCodeSource: z.string().optional(),
  processorName: z.string().optional(),
  avsResultCode: z.string().optional(),
  cvvResultCode: z.string().optional(),
  cavvResultCode: z.string().optional(),
  cardNotPresent: z.boolean().optional(),
  transactionType: z.string().optional(),
  dynamicDescriptor: z.string().optional(),
});

/** §6.3. `email` is not checked for shape: "NA" was accepted from ActiveMerchant. */
export const payerSchema = z.object({
  id: z.string().optional(),
  email: requiredText,
  phone: z.string().optional(),
  birthdate: isoDate.nullable().optional(),
});

/** §6.4, billing and shipping alike; which fields must be present is required-fields.ts's call. */
export const addressSchema = z.object({
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  phone: z.string().optional(),
  country: z.string().optional(),
  countryCode: countryCode.optional(),
  addressLine1: z.string().optional(),
  addressLine2: z.string().optional(),
  state: z.string().optional(),
  city: z.string().optional(),
  zipCode: z.string().optional(),
});

/** §6.6 on evaluate: `cardNumber` is the /tokenize token when `token` is true, else a (test) PAN. */
export const paymentMethodSchema = z.object({
  cardNumber: requiredText,
  token: z.boolean().optional(),
  holderName: z.string().optional(),
  cardType: z.string().optional(),
  cardBrand: z.string().optional(),
  cardCountry: countryCode.optional(),
  cardIssuer: z.string().optional(),
  cardLevel: z.string().optional(),
  cardFingerprint: z.string().optional(),
  expirationMonth: z.number().int().min(1).max(12).optional(),
  expirationYear: z.number().int().optional(),
  cardBinNumber: z.string().optional(),
  cardLast4Digits: z.string().optional(),
  verificationValue: z.string().optional(),
});

/** §5: on transmit the card is described only; a PAN, token or CVV there is refused by the route. */
export const cardDescriptionSchema = paymentMethodSchema.omit({
  cardNumber: true,
  token: true,
  verificationValue: true,
});

/** §6.9: a MIT rebill's subscription. `price` is cents, or the numeric string the vendor's sample sent. */
export const subscriptionSchema = z.object({
  subscriptionId: requiredText,
  interval: z.enum(SUBSCRIPTION_INTERVALS),
  price: z.union([cents, z.string().regex(/^\d+$/)]),
  currency: currencyCode,
  paymentNumber: z.string().nullable().optional(),
  totalPayments: z.string().nullable().optional(),
});

/** §6.7: every field optional. */
export const orderItemSchema = z.object({
  sku: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  amount: cents.optional(),
  discountAmount: cents.optional(),
  tax: cents.optional(),
  discountType: z.string().nullable().optional(),
  quantity: z.number().int().positive().optional(),
});

/** §6.8, for partners. */
export const merchantSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  mcc: z.number().int().optional(),
  country: z.string().optional(),
});

/** §6.11, with ActiveMerchant's casing (`EcommerceIndicator`); names bind case-insensitively anyway. */
export const threeDSecureSchema = z.object({
  threeDsVersion: z.string().optional(),
  EcommerceIndicator: z.string().optional(),
  authenticationValue: z.string().optional(),
  directoryServerTransactionId: z.string().optional(),
  xid: z.string().optional(),
  authenticationValueAlgorithm: z.string().optional(),
  directoryResponseStatus: z.string().optional(),
  authenticationResponseStatus: z.string().optional(),
  enrolled: z.string().optional(),
});

/** §6.10. */
export const additionalFieldSchema = z.object({
  key: z.string().nullable().optional(),
  value: z.string().nullable().optional(),
});

export type ContractAddress = z.infer<typeof addressSchema>;
