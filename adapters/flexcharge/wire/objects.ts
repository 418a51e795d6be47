import { z } from 'zod';

/**
 * The nested objects of FlexCharge request bodies (contract §6), camelCase as on the wire.
 * Unknown keys are stripped, as ASP.NET model binding does.
 *
 * Amounts are integers in "cents" (contract §1), and the docs only ever show USD. We read "cents" as
 * the currency's minor unit and send the integer Stripe reported, counted by Stripe's table
 * (`plugin/core/currency-units.ts`): 500 JPY is 500, 5.120 KWD is 5120, and 5 ISK is 500 (Stripe's
 * hundredths, not ISO 4217's whole krónur), so `transaction.amount` is the very number the PSP
 * declined. Only /refund's `amountToRefund` is in major units.
 */

const cents = z.number().int().nonnegative();
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in upper case');
const isoDateTime = z.iso.datetime({ offset: true });

export const transactionSchema = z.object({
  id: z.string().min(1),
  timestampUtc: isoDateTime.optional(),
  timezoneUtcOffset: z.number().int().min(-12).max(14).optional(),
  amount: cents,
  currency,
  responseCode: z.string().min(1).optional(),
  responseDescription: z.string().optional(),
  responseStatus: z.string().optional(),
  responseSubStatus: z.string().nullable().optional(),
  responseCodeSource: z.string().min(1).optional(),
  processorName: z.string().optional(),
  avsResultCode: z.string().optional(),
  cvvResultCode: z.string().optional(),
  cavvResultCode: z.string().optional(),
  cardNotPresent: z.boolean().optional(),
  transactionType: z.string().optional(),
  dynamicDescriptor: z.string().max(22).optional(),
});

export const payerSchema = z.object({
  id: z.string().optional(),
  email: z.string().min(1),
  phone: z.string().optional(),
  birthdate: z.iso.date().nullable().optional(),
});

export const addressSchema = z.object({
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  phone: z.string().optional(),
  country: z.string().min(1),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  addressLine1: z.string().min(1),
  addressLine2: z.string().optional(),
  state: z.string().optional(),
  city: z.string().min(1),
  zipCode: z.string().min(1),
});

/**
 * `billingInformation` as the client sends it: what the engine has, often only a country and a postal
 * code. The docs mark names and street required, but a renewal has no checkout form to ask for them,
 * and dropping the object for want of a street would lose the country and postal code too.
 */
export const billingInformationSchema = addressSchema.partial();

/** Card as sent to /evaluate: `cardNumber` carries the /tokenize token when `token` is true. */
export const paymentMethodSchema = z.object({
  cardNumber: z.string().min(1),
  token: z.boolean().optional(),
  holderName: z.string().optional(),
  cardType: z.string().optional(),
  cardBrand: z.string().optional(),
  cardCountry: z.string().optional(),
  cardIssuer: z.string().optional(),
  cardLevel: z.string().optional(),
  cardFingerprint: z.string().optional(),
  expirationMonth: z.number().int().min(1).max(12).optional(),
  expirationYear: z.number().int().min(2000).max(2100).optional(),
  cardBinNumber: z
    .string()
    .regex(/^\d{6,8}$/)
    .optional(),
  cardLast4Digits: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  verificationValue: z.string().optional(),
});

/** Card as sent to /transmit: descriptive only, no PAN or token. */
export const cardDescriptionSchema = paymentMethodSchema.omit({
  cardNumber: true,
  token: true,
  verificationValue: true,
});

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

export const merchantSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  mcc: z.number().int().optional(),
  country: z.string().optional(),
});

export const subscriptionSchema = z.object({
  subscriptionId: z.string().min(1),
  interval: z.string().min(1),
  price: z.union([cents, z.string().regex(/^\d+$/)]),
  currency,
  paymentNumber: z.string().nullable().optional(),
  totalPayments: z.string().nullable().optional(),
});

/** 3-D Secure data of the subscription's original (customer-initiated) payment. */
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

export const additionalFieldSchema = z.object({ key: z.string().nullable(), value: z.string().nullable() });

export type BillingInformation = z.infer<typeof billingInformationSchema>;

export { cents, currency, isoDateTime };
