import type Stripe from 'stripe';
import { z } from 'zod';
import type { AccountRegistry, EmulatedAccount } from '../account-registry.js';
import type { StripeApiRouter } from '../api-router.js';
import type { EmulatorContext } from '../emulator-store.js';
import { accountInvalid, invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import { type AccountType, buildAccount, COUNTRY_CURRENCIES, controllerFor } from '../objects/account.js';
import { newestFirst, paginate } from '../pagination.js';
import { applyMetadata, boolean, expand, metadata, pagination } from '../param-schemas.js';

const capability = z.strictObject({ requested: boolean.optional() });

const createSchema = z.strictObject({
  type: z.enum(['standard', 'express', 'custom']).optional(),
  controller: z
    .strictObject({
      fees: z.strictObject({ payer: z.enum(['account', 'application']).optional() }).optional(),
      losses: z.strictObject({ payments: z.enum(['application', 'stripe']).optional() }).optional(),
      requirement_collection: z.enum(['application', 'stripe']).optional(),
      stripe_dashboard: z.strictObject({ type: z.enum(['express', 'full', 'none']).optional() }).optional(),
    })
    .optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional(),
  default_currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/)
    .optional(),
  email: z.string().optional(),
  business_type: z.enum(['company', 'government_entity', 'individual', 'non_profit']).optional(),
  business_profile: z
    .strictObject({
      name: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  capabilities: z.record(z.string(), capability).optional(),
  metadata: metadata.optional(),
  expand,
});

/**
 * Connect's `/v1/accounts` (create, retrieve, list) and `/v1/account` (the account the request acts
 * on). A platform or standalone account creates accounts connected to it; a connected account cannot.
 */
export function registerAccountRoutes(
  api: StripeApiRouter,
  ctx: EmulatorContext,
  registry: AccountRegistry,
): void {
  const self = (): EmulatedAccount => {
    const account = registry.byId(ctx.account.id);
    if (!account) throw new Error(`stripe-emulator: account ${ctx.account.id} is not registered`);
    return account;
  };

  api.post('/accounts', createSchema, ({ params, now }) => {
    const platform = self();
    if (platform.kind === 'connected') {
      throw invalidRequest(
        'Only a Connect platform can create accounts; this request acts on a connected account (drop the Stripe-Account header).',
      );
    }
    const connected = registry.addConnected(platform, accountFromParams(params, platform, now));
    return connected.object;
  });

  api.get('/accounts/:id', z.strictObject({ expand }), ({ path, apiKey }) => {
    const id = path.id ?? '';
    const found = registry.byId(id);
    const me = self();
    if (!found || (found !== me && found.platformId !== me.id)) throw accountInvalid(apiKey, id);
    return found.object;
  });

  api.get('/accounts', z.strictObject(pagination), ({ params }) =>
    paginate(
      newestFirst(registry.connectedTo(ctx.account.id)).map((a) => a.object),
      params,
      '/v1/accounts',
      'account',
    ),
  );

  api.get('/account', z.strictObject({ expand }), () => self().object);
}

function accountFromParams(
  params: z.output<typeof createSchema>,
  platform: EmulatedAccount,
  now: number,
): Stripe.Account {
  if (params.type && params.controller) {
    throw invalidRequest('You cannot specify both `type` and `controller`; use one of them.', {
      param: 'controller',
    });
  }
  const country = (params.country ?? platform.object.country ?? 'US').toUpperCase();
  const currency = COUNTRY_CURRENCIES[country];
  if (!currency) {
    throw invalidRequest(
      `The Stripe emulator creates accounts only in ${Object.keys(COUNTRY_CURRENCIES).join(', ')}; got '${params.country}'.`,
      { param: 'country' },
    );
  }
  const type: AccountType = params.type ?? (params.controller ? 'none' : 'standard');
  const requested = Object.entries(params.capabilities ?? {})
    .filter(([, c]) => c.requested === true)
    .map(([name]) => name);
  if ((type === 'express' || type === 'custom') && requested.length === 0) {
    throw invalidRequest(
      `${type === 'express' ? 'Express' : 'Custom'} accounts must request at least one capability, e.g. capabilities[card_payments][requested]=true and capabilities[transfers][requested]=true.`,
      { param: 'capabilities' },
    );
  }
  const capabilities = Object.fromEntries(
    (requested.length > 0 ? requested : ['card_payments', 'transfers']).map((name) => [name, 'active']),
  ) as Stripe.Account.Capabilities;
  return buildAccount({
    id: newId('account'),
    created: now,
    type,
    country,
    defaultCurrency: (params.default_currency ?? currency).toLowerCase(),
    email: params.email ?? null,
    businessType: params.business_type ?? null,
    businessName: params.business_profile?.name || null,
    businessUrl: params.business_profile?.url || null,
    capabilities,
    controller:
      type === 'none'
        ? ({
            fees: { payer: params.controller?.fees?.payer ?? 'account' },
            is_controller: true,
            losses: { payments: params.controller?.losses?.payments ?? 'stripe' },
            requirement_collection: params.controller?.requirement_collection ?? 'stripe',
            stripe_dashboard: { type: params.controller?.stripe_dashboard?.type ?? 'full' },
            type: 'application',
          } as Stripe.Account.Controller)
        : controllerFor(type),
    metadata: applyMetadata({}, params.metadata),
  });
}
