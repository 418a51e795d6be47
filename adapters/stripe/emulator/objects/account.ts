import type Stripe from 'stripe';

export type AccountType = 'standard' | 'express' | 'custom' | 'none';

export interface AccountFields {
  id: string;
  created: number;
  type: AccountType;
  country: string;
  defaultCurrency: string;
  email: string | null;
  businessType: Stripe.Account.BusinessType | null;
  businessName: string | null;
  businessUrl: string | null;
  capabilities: Stripe.Account.Capabilities;
  controller: Stripe.Account.Controller;
  metadata: Record<string, string>;
}

/**
 * An account as `GET /v1/accounts/:id` shows it, with every key of Stripe's fixture. Accounts are
 * born onboarded (charges and payouts enabled, nothing due): the emulator has no onboarding flow,
 * and a merchant that cannot charge would make renewals impossible to play (README: Connect).
 */
export function buildAccount(fields: AccountFields): Stripe.Account {
  const requirements = {
    alternatives: [],
    current_deadline: null,
    currently_due: [],
    disabled_reason: null,
    errors: [],
    eventually_due: [],
    past_due: [],
    pending_verification: [],
  };
  return {
    id: fields.id,
    object: 'account',
    business_profile: {
      annual_revenue: null,
      estimated_worker_count: null,
      mcc: null,
      minority_owned_business_designation: null,
      name: fields.businessName,
      product_description: null,
      specified_commercial_transactions_act_url: null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: fields.businessUrl,
    },
    business_type: fields.businessType,
    capabilities: fields.capabilities,
    charges_enabled: true,
    controller: fields.controller,
    country: fields.country,
    created: fields.created,
    default_currency: fields.defaultCurrency,
    details_submitted: true,
    email: fields.email,
    external_accounts: {
      object: 'list',
      data: [],
      has_more: false,
      url: `/v1/accounts/${fields.id}/external_accounts`,
    },
    future_requirements: { ...requirements },
    metadata: fields.metadata,
    payouts_enabled: true,
    requirements: { ...requirements },
    settings: {
      bacs_debit_payments: { display_name: null, service_user_number: null },
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: {
        decline_on: { avs_failure: false, cvc_failure: false },
        statement_descriptor_prefix: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      dashboard: { display_name: fields.businessName, timezone: 'Etc/UTC' },
      invoices: { default_account_tax_ids: null, hosted_payment_method_save: null },
      payments: {
        statement_descriptor: null,
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      payouts: {
        debit_negative_balances: true,
        schedule: { delay_days: 2, interval: 'daily' },
        statement_descriptor: null,
      },
      sepa_debit_payments: {},
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type: fields.type,
  };
}

/** A country's currency, for the countries the emulator creates accounts in. */
export const COUNTRY_CURRENCIES: Readonly<Record<string, string>> = {
  US: 'usd',
  CA: 'cad',
  GB: 'gbp',
  AU: 'aud',
  NZ: 'nzd',
  JP: 'jpy',
  SG: 'sgd',
  HK: 'hkd',
  CH: 'chf',
  NO: 'nok',
  SE: 'sek',
  DK: 'dkk',
  PL: 'pln',
  CZ: 'czk',
  AT: 'eur',
  BE: 'eur',
  DE: 'eur',
  ES: 'eur',
  FI: 'eur',
  FR: 'eur',
  IE: 'eur',
  IT: 'eur',
  LU: 'eur',
  NL: 'eur',
  PT: 'eur',
};

/** What Stripe sets `controller` to for each legacy `type`, seen from the platform that created it. */
export function controllerFor(type: Exclude<AccountType, 'none'>): Stripe.Account.Controller {
  const byType = {
    standard: { payer: 'account', losses: 'stripe', collection: 'stripe', dashboard: 'full' },
    express: { payer: 'application', losses: 'application', collection: 'stripe', dashboard: 'express' },
    custom: { payer: 'application', losses: 'application', collection: 'application', dashboard: 'none' },
  } as const;
  const c = byType[type];
  return {
    fees: { payer: c.payer },
    is_controller: true,
    losses: { payments: c.losses },
    requirement_collection: c.collection,
    stripe_dashboard: { type: c.dashboard },
    type: 'application',
  } as Stripe.Account.Controller;
}

/** A platform or standalone account controls itself. */
export const SELF_CONTROLLED: Stripe.Account.Controller = { type: 'account' } as Stripe.Account.Controller;
