import { z } from 'zod';
import type { StripeApiRouter } from '../api-router.js';
import { type EmulatorContext, idOf, mustGet } from '../emulator-store.js';
import { newestFirst, paginate } from '../pagination.js';
import { expand, pagination } from '../param-schemas.js';

const listSchema = z.strictObject({
  ...pagination,
  invoice: z.string().optional(),
  status: z.enum(['canceled', 'open', 'paid']).optional(),
  payment: z
    .strictObject({
      type: z.enum(['charge', 'payment_intent', 'payment_record']),
      payment_intent: z.string().optional(),
      charge: z.string().optional(),
      payment_record: z.string().optional(),
    })
    .optional(),
});

/** `/v1/invoice_payments` (basil+): how an invoice links to its PaymentIntents, both directions. */
export function registerInvoicePaymentRoutes(api: StripeApiRouter, ctx: EmulatorContext): void {
  const { store } = ctx;

  api.get('/invoice_payments/:id', z.strictObject({ expand }), ({ path }) =>
    mustGet(store.invoicePayments, path.id ?? '', 'invoice payment'),
  );

  api.get('/invoice_payments', listSchema, ({ params }) => {
    const { payment } = params;
    const among = params.invoice ? store.paymentsOfInvoice(params.invoice) : store.invoicePayments.values();
    const payments = newestFirst(among).filter(
      (p) =>
        (!params.invoice || p.invoice === params.invoice) &&
        (!params.status || p.status === params.status) &&
        (!payment ||
          (p.payment.type === payment.type &&
            (!payment.payment_intent || idOf(p.payment.payment_intent) === payment.payment_intent) &&
            (!payment.charge || idOf(p.payment.charge) === payment.charge) &&
            (!payment.payment_record || idOf(p.payment.payment_record) === payment.payment_record))),
    );
    return paginate(payments, params, '/v1/invoice_payments', 'invoice payment');
  });
}
