import type Stripe from 'stripe';
import { decimalString } from './wire.js';

export interface LineItemFields {
  id: string;
  invoice: string;
  subscription: string;
  subscriptionItem: Stripe.SubscriptionItem;
  productName: string;
  periodStart: number;
  periodEnd: number;
  metadata: Record<string, string>;
}

/** A subscription line: basil+ puts the origin under `parent` and the price under `pricing`. */
export function buildSubscriptionLine(fields: LineItemFields): Stripe.InvoiceLineItem {
  const { price } = fields.subscriptionItem;
  const quantity = fields.subscriptionItem.quantity ?? 1;
  const amount = (price.unit_amount ?? 0) * quantity;
  return {
    id: fields.id,
    object: 'line_item',
    amount,
    currency: price.currency,
    description: `${quantity} × ${fields.productName} (at ${formatMoney(price.unit_amount ?? 0, price.currency)} / ${intervalText(price)})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: fields.invoice,
    livemode: false,
    metadata: fields.metadata,
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: fields.subscription,
        subscription_item: fields.subscriptionItem.id,
      },
      type: 'subscription_item_details',
    },
    period: { end: fields.periodEnd, start: fields.periodStart },
    pretax_credit_amounts: [],
    pricing: {
      price_details: {
        price: price.id,
        product: typeof price.product === 'string' ? price.product : price.product.id,
      },
      type: 'price_details',
      unit_amount_decimal: decimalString(price.unit_amount ?? 0),
    },
    quantity,
    quantity_decimal: decimalString(quantity),
    subscription: fields.subscription,
    subtotal: amount,
    taxes: [],
  };
}

export interface InvoiceFields {
  id: string;
  created: number;
  customer: Stripe.Customer;
  subscription: Stripe.Subscription;
  billingReason: Stripe.Invoice.BillingReason;
  lines: Stripe.InvoiceLineItem[];
  periodStart: number;
  periodEnd: number;
}

/**
 * A draft subscription invoice in the endive shape: no top-level `subscription`, `payment_intent`,
 * `charge` or `paid` (gone since basil); the subscription is under `parent.subscription_details`.
 */
export function buildInvoice(fields: InvoiceFields): Stripe.Invoice {
  const { customer, subscription } = fields;
  const total = fields.lines.reduce((sum, line) => sum + line.amount, 0);
  return {
    id: fields.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe Emulator',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: fields.billingReason,
    collection_method: 'charge_automatically',
    created: fields.created,
    currency: subscription.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: fields.lines, has_more: false, url: `/v1/invoices/${fields.id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id },
      type: 'subscription_details',
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: fields.periodEnd,
    period_start: fields.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: {
      amount_tax_display: null,
      pdf: { page_size: 'letter' },
      template: null,
      template_version: null,
    },
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/** One formatter per currency: building an `Intl.NumberFormat` costs more than formatting with it. */
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function formatMoney(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency) ? amount : amount / 100;
  const code = currency.toUpperCase();
  if (!moneyFormats.has(code)) {
    let format: Intl.NumberFormat | null = null;
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    } catch {
      // Not a currency Intl knows: written plainly below.
    }
    moneyFormats.set(code, format);
  }
  return moneyFormats.get(code)?.format(major) ?? `${major} ${code}`;
}

function intervalText(price: Stripe.Price): string {
  const interval = price.recurring?.interval ?? 'month';
  const count = price.recurring?.interval_count ?? 1;
  return count === 1 ? interval : `every ${count} ${interval}s`;
}
