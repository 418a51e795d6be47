import type Stripe from 'stripe';

/** SetupIntent and SetupAttempt objects, with every key of Stripe's fixtures (stripe-fixtures3.json). */

export interface SetupIntentFields {
  id: string;
  created: number;
  customer: string | null;
  paymentMethod: string | null;
  description: string | null;
  metadata: Record<string, string>;
  usage: 'off_session' | 'on_session';
}

export function buildSetupIntent(fields: SetupIntentFields): Stripe.SetupIntent {
  return {
    id: fields.id,
    object: 'setup_intent',
    allowed_payment_method_types: null,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${fields.id}_secret_${fields.id.slice(-12)}`,
    created: fields.created,
    customer: fields.customer,
    description: fields.description,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    single_use_mandate: null,
    status: fields.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    usage: fields.usage,
  };
}

export interface SetupAttemptFields {
  id: string;
  created: number;
  setupIntent: Stripe.SetupIntent;
  paymentMethod: Stripe.PaymentMethod;
  /** Set when the issuer asked for 3-D Secure and the (emulated) cardholder authenticated. */
  threeDSecure: { flow: 'challenge' | 'frictionless'; transactionId: string } | null;
}

/** A successful card setup. Authenticated setups carry their 3-D Secure like a charge, with no NTI. */
export function buildSetupAttempt(fields: SetupAttemptFields): Stripe.SetupAttempt {
  const card = fields.paymentMethod.card;
  const tds = fields.threeDSecure;
  return {
    id: fields.id,
    object: 'setup_attempt',
    application: null,
    created: fields.created,
    customer: fields.setupIntent.customer as string | null,
    customer_account: null,
    flow_directions: null,
    livemode: false,
    on_behalf_of: null,
    payment_method: fields.paymentMethod.id,
    payment_method_details: {
      type: 'card',
      card: {
        brand: card?.brand ?? null,
        checks: {
          address_line1_check: card?.checks?.address_line1_check ?? null,
          address_postal_code_check: card?.checks?.address_postal_code_check ?? null,
          cvc_check: card?.checks?.cvc_check ?? null,
        },
        country: card?.country ?? null,
        exp_month: card?.exp_month ?? null,
        exp_year: card?.exp_year ?? null,
        fingerprint: card?.fingerprint ?? null,
        funding: card?.funding ?? null,
        last4: card?.last4 ?? null,
        network: card?.brand ?? null,
        three_d_secure: tds
          ? {
              authentication_flow: tds.flow,
              electronic_commerce_indicator: card?.brand === 'mastercard' ? '02' : '05',
              result: 'authenticated',
              result_reason: null,
              transaction_id: tds.transactionId,
              version: '2.2.0',
            }
          : null,
        wallet: null,
      },
    },
    setup_error: null,
    setup_intent: fields.setupIntent.id,
    status: 'succeeded',
    usage: fields.setupIntent.usage,
  };
}
