import { copy, type EmulatorContext } from './emulator-store.js';
import { invalidRequest } from './errors.js';
import { paginate } from './pagination.js';

/**
 * Applies `expand[]` paths to a response: an id becomes the object it names (`customer`,
 * `latest_charge`, `payments.data.payment.payment_intent`, `data.customer` on lists); an invoice's
 * `payments` appears as a list of its InvoicePayments. At most four levels, as on Stripe.
 */
export function expandResponse(ctx: EmulatorContext, body: unknown, paths: readonly string[]): unknown {
  paths.forEach((path, index) => {
    const segments = path.split('.');
    if (segments.length > 4) {
      throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, {
        param: `expand[${index}]`,
      });
    }
    expandAt(ctx, body, segments, path, index);
  });
  return body;
}

function expandAt(
  ctx: EmulatorContext,
  node: unknown,
  segments: string[],
  path: string,
  index: number,
  /** Under a list's items, which differ in kind (an InvoicePayment's `payment` names one of three). */
  inList = false,
): void {
  if (!isRecord(node)) return;
  const [head, ...rest] = segments;
  if (head === undefined) return;
  if (head === 'data' && node.object === 'list' && Array.isArray(node.data)) {
    for (const item of node.data) expandAt(ctx, item, rest, path, index, true);
    return;
  }
  if (head === 'payments' && node.object === 'invoice' && typeof node.id === 'string') {
    node.payments ??= invoicePayments(ctx, node.id);
  } else if (typeof node[head] === 'string') {
    node[head] = resolve(ctx, node[head] as string) ?? cannotExpand(path, index);
  } else if (!(head in node)) {
    if (inList) return;
    cannotExpand(path, index);
  }
  if (rest.length > 0) expandAt(ctx, node[head], rest, path, index, inList);
}

function invoicePayments(ctx: EmulatorContext, invoiceId: string) {
  const payments = ctx.store.paymentsOfInvoice(invoiceId).reverse();
  return paginate(
    payments.map(copy),
    { limit: 10 },
    `/v1/invoice_payments?invoice=${invoiceId}`,
    'invoice_payment',
  );
}

function resolve(ctx: EmulatorContext, id: string): object | undefined {
  const { store } = ctx;
  const found =
    store.customers.get(id) ??
    store.paymentMethods.get(id) ??
    store.products.get(id) ??
    store.prices.get(id) ??
    store.subscriptions.get(id) ??
    store.invoices.get(id) ??
    store.invoicePayments.get(id) ??
    store.paymentIntents.get(id) ??
    store.paymentRecords.get(id) ??
    store.charges.get(id);
  return found === undefined ? undefined : copy(found);
}

function cannotExpand(path: string, index: number): never {
  throw invalidRequest(`This property cannot be expanded (${path}).`, { param: `expand[${index}]` });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
