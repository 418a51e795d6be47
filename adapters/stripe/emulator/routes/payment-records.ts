import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, mustGet } from '../emulator-store.js';
import { invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import { attachPaymentRecord } from '../invoice-payment-record.js';
import { buildPaymentRecord, type PaymentRecordOutcome } from '../objects/payment-record.js';
import {
  address,
  applyMetadata,
  billingDetails,
  expand,
  integer,
  metadata,
  toAddress,
} from '../param-schemas.js';

const positive = (what: string) =>
  integer.refine((n) => n > 0, { message: `${what} must be a positive integer` });
const timestamp = integer.refine((n) => n >= 0, { message: 'must be a Unix timestamp' });
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO currency code')
  .transform((c) => c.toLowerCase());
const money = z.strictObject({ currency, value: positive('value') });

const reportPaymentSchema = z.strictObject({
  amount_requested: money,
  initiated_at: timestamp,
  payment_method_details: z.strictObject({
    billing_details: billingDetails.optional(),
    custom: z
      .strictObject({ display_name: z.string().max(5000).optional(), type: z.string().optional() })
      .optional(),
    payment_method: z.string().optional(),
    type: z.enum(['custom']).optional(),
  }),
  canceled: z.strictObject({ canceled_at: timestamp }).optional(),
  customer_details: z
    .strictObject({
      customer: z.string().optional(),
      email: z.string().optional(),
      name: z.string().optional(),
      phone: z.string().optional(),
    })
    .optional(),
  customer_presence: z.enum(['off_session', 'on_session']).optional(),
  description: z.string().max(5000).optional(),
  failed: z.strictObject({ failed_at: timestamp }).optional(),
  guaranteed: z.strictObject({ guaranteed_at: timestamp }).optional(),
  metadata: metadata.optional(),
  outcome: z.enum(['canceled', 'failed', 'guaranteed']).optional(),
  processor_details: z
    .strictObject({
      type: z.enum(['custom']),
      custom: z.strictObject({ payment_reference: z.string().min(1) }).optional(),
    })
    .optional(),
  shipping_details: z
    .strictObject({ address: address.optional(), name: z.string().optional(), phone: z.string().optional() })
    .optional(),
  expand,
});

const reportRefundSchema = z.strictObject({
  outcome: z.enum(['refunded']),
  processor_details: z.strictObject({
    type: z.enum(['custom']),
    custom: z.strictObject({ refund_reference: z.string().min(1) }).optional(),
  }),
  refunded: z.strictObject({ refunded_at: timestamp }),
  amount: money.optional(),
  initiated_at: timestamp.optional(),
  metadata: metadata.optional(),
  expand,
});

const attachSchema = z.strictObject({
  payment_intent: z.string().optional(),
  payment_record: z.string().optional(),
  expand,
});

/** The hash each outcome needs, with its time. */
const OUTCOME_DETAILS = { guaranteed: 'guaranteed', failed: 'failed', canceled: 'canceled' } as const;

/**
 * `/v1/payment_records` (clover+): a payment another processor took, reported to Stripe —
 * `report_payment` (in a final state at once, or none), retrieve, `report_refund` — and
 * `POST /v1/invoices/:id/attach_payment` with a `payment_record`, which pays the invoice with it.
 */
export function registerPaymentRecordRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;
  const find = (id: string) => mustGet(store.paymentRecords, id, 'payment record');

  api.post('/payment_records/report_payment', reportPaymentSchema, ({ params, now }) => {
    const outcome: PaymentRecordOutcome | null = params.outcome ?? null;
    for (const [name, hash] of Object.entries(OUTCOME_DETAILS)) {
      const given = params[hash] !== undefined;
      if (outcome === name && !given)
        throw invalidRequest(`Missing required param: ${hash}.`, { code: 'parameter_missing', param: hash });
      if (outcome !== name && given)
        throw invalidRequest(`\`${hash}\` can only be provided when \`outcome\` is \`${name}\`.`, {
          param: hash,
        });
    }
    const pmd = params.payment_method_details;
    if (pmd.payment_method && (pmd.custom || pmd.type)) {
      throw invalidRequest(
        'You may only specify one of these parameters: payment_method_details[payment_method], payment_method_details[custom].',
        { param: 'payment_method_details' },
      );
    }
    if (!pmd.payment_method && (pmd.type !== 'custom' || !pmd.custom)) {
      throw invalidRequest(
        'You must provide either payment_method_details[payment_method] or payment_method_details[type]=custom with payment_method_details[custom].',
        { param: 'payment_method_details' },
      );
    }
    const pm = pmd.payment_method
      ? mustGet(
          store.paymentMethods,
          pmd.payment_method,
          'PaymentMethod',
          'payment_method_details[payment_method]',
        )
      : null;
    const processor = params.processor_details;
    if (processor && !processor.custom) {
      throw invalidRequest('Missing required param: processor_details[custom].', {
        code: 'parameter_missing',
        param: 'processor_details[custom]',
      });
    }
    const cd = params.customer_details;
    if (cd?.customer) mustGet(store.customers, cd.customer, 'customer', 'customer_details[customer]');
    const record = buildPaymentRecord({
      id: newId('payment_record'),
      created: now,
      attemptId: newId('payment_attempt_record'),
      currency: params.amount_requested.currency,
      value: params.amount_requested.value,
      outcome,
      customer: cd
        ? {
            customer: cd.customer ?? null,
            email: cd.email ?? null,
            name: cd.name ?? null,
            phone: cd.phone ?? null,
          }
        : null,
      customerPresence: params.customer_presence ?? null,
      description: params.description ?? null,
      paymentMethod: {
        type: pm ? pm.type : 'custom',
        paymentMethod: pm?.id ?? null,
        custom: pmd.custom
          ? { display_name: pmd.custom.display_name ?? '', type: pmd.custom.type ?? null }
          : null,
        billing: pmd.billing_details
          ? {
              address: toAddress(pmd.billing_details.address) ?? toAddress({})!,
              email: pmd.billing_details.email ?? null,
              name: pmd.billing_details.name ?? null,
              phone: pmd.billing_details.phone ?? null,
            }
          : null,
      },
      paymentReference: processor?.custom?.payment_reference ?? null,
      shipping: params.shipping_details
        ? {
            address: toAddress(params.shipping_details.address) ?? toAddress({})!,
            name: params.shipping_details.name ?? null,
            phone: params.shipping_details.phone ?? null,
          }
        : null,
      metadata: applyMetadata({}, params.metadata),
    });
    store.paymentRecords.set(record.id, record);
    store.paymentRecordStates.set(record.id, { invoice: null, outcome });
    return record;
  });

  api.get('/payment_records/:id', z.strictObject({ expand }), ({ path }) => find(path.id ?? ''));

  api.post('/payment_records/:id/report_refund', reportRefundSchema, ({ params, path }) => {
    const record = find(path.id ?? '');
    const reference = params.processor_details.custom?.refund_reference;
    if (!reference) {
      throw invalidRequest('Missing required param: processor_details[custom].', {
        code: 'parameter_missing',
        param: 'processor_details[custom]',
      });
    }
    const refundable = record.amount_guaranteed.value - record.amount_refunded.value;
    if (record.amount_guaranteed.value === 0) {
      throw invalidRequest(`Payment Record ${record.id} has no guaranteed payment to refund.`, {
        param: 'id',
      });
    }
    const amount = params.amount ?? { currency: record.amount.currency, value: refundable };
    if (amount.currency !== record.amount.currency) {
      throw invalidRequest(
        `The refund currency (${amount.currency}) must match the payment's currency (${record.amount.currency}).`,
        { param: 'amount[currency]' },
      );
    }
    if (amount.value > refundable || refundable === 0) {
      throw invalidRequest(
        `Refund amount (${amount.value}) is greater than the unrefunded amount of the payment (${refundable}).`,
        { param: 'amount[value]' },
      );
    }
    if (store.paymentRecordRefundReferences.has(reference)) {
      throw invalidRequest(`A refund with refund_reference '${reference}' was already reported.`, {
        param: 'processor_details[custom][refund_reference]',
      });
    }
    store.paymentRecordRefundReferences.add(reference);
    record.amount_refunded = {
      currency: record.amount.currency,
      value: record.amount_refunded.value + amount.value,
    };
    record.latest_payment_attempt_record ??= newId('payment_attempt_record');
    record.metadata = applyMetadata(record.metadata, params.metadata);
    return record;
  });

  api.post('/invoices/:id/attach_payment', attachSchema, ({ params, path, now, origin }) => {
    if (params.payment_intent && params.payment_record) {
      throw invalidRequest('You may only specify one of these parameters: payment_intent, payment_record.', {
        code: 'parameters_exclusive',
      });
    }
    if (params.payment_intent) {
      throw invalidRequest('The Stripe emulator attaches Payment Records only, not PaymentIntents.', {
        param: 'payment_intent',
      });
    }
    if (!params.payment_record) {
      throw invalidRequest('You must provide one of these parameters: payment_intent, payment_record.', {
        code: 'parameter_missing',
        param: 'payment_record',
      });
    }
    const invoice = mustGet(store.invoices, path.id ?? '', 'invoice');
    const record = mustGet(store.paymentRecords, params.payment_record, 'payment record', 'payment_record');
    attachPaymentRecord(ctx, invoice, record, now, origin);
    return invoice;
  });
}
