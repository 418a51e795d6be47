import Stripe from 'stripe';
import {
  checkStripeAccess,
  type EndpointSync,
  removeInstalledEndpoints,
  type StripePermission,
  syncInstalledEndpoint,
} from '../../adapters/stripe/webhook-endpoint-install.js';
import { readManifest } from '../config/write-manifest.js';
import { ForbiddenError, ValidationError } from '../core/errors.js';
import { DEFAULT_MERCHANT_ID } from '../runtime/start-plugin.js';
import { stripeWebhookEvents } from '../runtime/stripe-setup.js';
import { createMerchantChanges, merchantParts } from '../storage/merchant-changes.js';
import {
  isLiveKey,
  type MerchantStore,
  parseOptions,
  refuseLiveKeyUnlessAsked,
  resolveStripeKey,
  runOnMerchant,
  STRIPE_KEY_OPTIONS,
  STRIPE_KEY_USAGE,
  type StripeCommandConfig,
  type StripeCommandDeps,
  stripeClientFor,
  type Values,
  withUsage,
} from './stripe-command-support.js';

export const INSTALL_USAGE = `usage: flexcharge-mit install --merchant M [--public-url URL] [key options] [--live] [--json]

Connects a stored merchant's Stripe account to the plugin: checks what the key may do and the
account's API version, creates the webhook endpoint <public-url>/webhooks/stripe/<M> with exactly the
events manifest.json lists (or brings the one an earlier install made up to date: never a second
one), stores its signing secret (and the key) for the merchant, and says what is left to do.
Running it again changes nothing that is already right.

  --public-url URL    where Stripe and FlexCharge reach the plugin (default PUBLIC_URL)
  --live              allow a live key (sk_live_…, rk_live_…); refused without it
${STRIPE_KEY_USAGE}

Exit status: 0 done, 1 refused (nothing changed), 2 usage.`;

export const UNINSTALL_USAGE = `usage: flexcharge-mit uninstall --merchant M [key options] [--live] [--json]

Removes what install made: the merchant's webhook endpoint (only the one marked as the plugin's;
other endpoints of the account are never touched) and the signing secret stored for it. The Stripe
key stays stored (\`merchants set-engine\` changes it). Running it again finds nothing to remove.

  --live              allow a live key (sk_live_…, rk_live_…); refused without it
${STRIPE_KEY_USAGE}

Exit status: 0 done, 1 refused, 2 usage.`;

/** What install needs the key to allow: the permissions manifest.json lists, the endpoint, events. */
export function requiredPermissions(): StripePermission[] {
  const engines = readManifest().engines as { id: string; permissions?: Record<string, string> }[];
  const listed = engines.find((e) => e.id === 'stripe')?.permissions ?? {};
  const needed = new Map<string, StripePermission['level']>(
    Object.entries(listed).map(([resource, level]) => [resource, level === 'write' ? 'write' : 'read']),
  );
  needed.set('webhook_endpoints', 'write');
  // `replay` reads Stripe's event list.
  if (!needed.has('events')) needed.set('events', 'read');
  // A write permission includes reading: both are checked.
  return [...needed].flatMap(([resource, level]) =>
    level === 'write'
      ? [
          { resource, level: 'read' as const },
          { resource, level },
        ]
      : [{ resource, level }],
  );
}

export async function runInstallCommand(
  argv: readonly string[],
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
): Promise<number> {
  return withUsage(INSTALL_USAGE, argv, deps, async () => {
    const values = parseOptions('install', argv, {
      ...STRIPE_KEY_OPTIONS,
      'public-url': { type: 'string' },
      live: { type: 'boolean' },
    });
    return runOnMerchant(config, deps, values, (store) => install(store, values, config, deps));
  });
}

export async function runUninstallCommand(
  argv: readonly string[],
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
): Promise<number> {
  return withUsage(UNINSTALL_USAGE, argv, deps, async () => {
    const values = parseOptions('uninstall', argv, { ...STRIPE_KEY_OPTIONS, live: { type: 'boolean' } });
    return runOnMerchant(config, deps, values, (store) => uninstall(store, values, config, deps));
  });
}

async function install(
  store: MerchantStore,
  values: Values,
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
) {
  const { merchant, connection } = store;
  if (connection?.stripeAccountId)
    throw new ValidationError(
      `merchant ${merchant.id} is the Connect account ${connection.stripeAccountId}: its events reach the plugin through the platform's endpoint (/webhooks/stripe-connect), which install does not manage`,
      { stripeAccountId: ['a Connect account has no endpoint of its own here'] },
    );
  const publicUrl = publicUrlOf(values, config);
  const { key, source } = await resolveStripeKey(values, store, config, deps);
  refuseLiveKeyUnlessAsked(key, values, 'install');
  const stripe = stripeClientFor(key, values, config, connection);

  const access = await checkStripeAccess(stripe, requiredPermissions());
  if (access.missing.length > 0) {
    const missing = access.missing.map((p) => `${p.resource} ${p.level}`);
    throw new ForbiddenError(
      `install refused: the Stripe key lacks ${missing.join(', ')}. Give the restricted key these permissions (or use a secret key); nothing was changed`,
    );
  }

  const url = `${publicUrl}/webhooks/stripe/${merchant.id}`;
  const events = stripeWebhookEvents();
  // The secret stored is an endpoint's only if install stored it with that endpoint's id.
  const held = connection?.webhookSecret ? connection.webhookEndpointId : null;
  const sync = await syncInstalledEndpoint(
    stripe,
    { merchantId: merchant.id, url, events, apiVersion: Stripe.API_VERSION },
    held,
  );

  const storedKey = connection?.apiKey?.reveal() ?? null;
  const mustStore =
    sync.secret !== null || storedKey !== key || connection?.webhookEndpointId !== sync.endpoint.id;
  if (mustStore) {
    const webhookSecret = sync.secret ?? connection?.webhookSecret?.reveal() ?? null;
    await storeStripeConnection(store, { apiKey: key, webhookSecret, webhookEndpointId: sync.endpoint.id });
  }

  const remaining = whatIsLeft(store, publicUrl);
  const result = {
    merchant: merchant.id,
    stripeAccount: access.accountId,
    live: isLiveKey(key),
    apiVersion: { account: access.accountApiVersion, endpoint: Stripe.API_VERSION },
    endpoint: {
      id: sync.endpoint.id,
      action: sync.action,
      url: sync.endpoint.url,
      events: sync.endpoint.enabled_events,
    },
    removedEndpoints: sync.removed,
    stored: { apiKeyFrom: source, signingSecret: sync.secret ? 'new' : 'kept', changed: mustStore },
    remaining,
  };
  return { json: result, text: describeInstall(result, sync) };
}

async function uninstall(
  store: MerchantStore,
  values: Values,
  config: StripeCommandConfig,
  deps: StripeCommandDeps,
) {
  const { merchant, connection } = store;
  const { key } = await resolveStripeKey(values, store, config, deps);
  refuseLiveKeyUnlessAsked(key, values, 'uninstall');
  const stripe = stripeClientFor(key, values, config, connection);
  const removed = await removeInstalledEndpoints(stripe, merchant.id);
  // Only a secret install stored (it recorded the endpoint) is removed; one set by hand is kept.
  const installedSecret = Boolean(connection?.webhookEndpointId);
  if (connection && installedSecret) {
    await storeStripeConnection(store, {
      apiKey: connection.apiKey?.reveal() ?? null,
      webhookSecret: null,
      webhookEndpointId: null,
    });
  }
  const text = [
    removed.length
      ? `removed webhook endpoint ${removed.join(', ')} of merchant ${merchant.id}`
      : `no webhook endpoint of the plugin for merchant ${merchant.id}: nothing to remove in Stripe`,
    installedSecret
      ? 'removed the signing secret install had stored'
      : 'no signing secret stored by install: nothing to remove',
    'kept: the Stripe key stored for the merchant (flexcharge-mit merchants set-engine changes it)',
  ];
  return {
    json: { merchant: merchant.id, removedEndpoints: removed, removedSigningSecret: installedSecret },
    text,
  };
}

function publicUrlOf(values: Values, config: StripeCommandConfig): string {
  const given = typeof values['public-url'] === 'string' ? values['public-url'] : config.PUBLIC_URL;
  const problem = !given
    ? 'is required (or set PUBLIC_URL): the address Stripe and FlexCharge reach the plugin at'
    : !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(given)
      ? 'must be an http(s) URL without query or fragment'
      : null;
  if (problem || !given)
    throw new ValidationError(`--public-url ${problem}`, { publicUrl: [String(problem)] });
  return given.replace(/\/+$/, '');
}

interface Remaining {
  readonly flexchargeCredentials: readonly string[];
  readonly flexchargeWebhookUrl: string;
  readonly mitFlow: string;
  readonly notes: readonly string[];
}

/** What install cannot do: FlexCharge's side, and the merchant's own switches. */
function whatIsLeft(store: MerchantStore, publicUrl: string): Remaining {
  const { merchant } = store;
  const mit = merchant.flows.find((f) => f.flow === 'mit');
  const notes: string[] = [];
  // seedDefaultMerchant rewrites this merchant's Stripe connection from the environment at each start.
  if (merchant.id === DEFAULT_MERCHANT_ID)
    notes.push(
      `merchant ${DEFAULT_MERCHANT_ID}'s Stripe connection is rewritten from STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET at every start (and removed without them), which would undo this: install under a merchant id of its own`,
    );
  return {
    flexchargeCredentials: merchant.credentials.map((c) => c.environment),
    flexchargeWebhookUrl: `${publicUrl}/webhooks/flexcharge/${merchant.id}`,
    mitFlow: mit ? `${mit.mode} (${mit.environment})` : 'off',
    notes,
  };
}

function describeInstall(
  r: {
    merchant: string;
    stripeAccount: string | null;
    live: boolean;
    apiVersion: { account: string | null; endpoint: string };
    stored: { apiKeyFrom: string; signingSecret: string; changed: boolean };
    remaining: Remaining;
  },
  sync: EndpointSync,
): string[] {
  const lines = [
    `Stripe ${r.live ? 'live' : 'test'} account ${r.stripeAccount ?? '(id not readable with this key)'}: key allows what the plugin needs`,
    r.apiVersion.account === null
      ? `API version: no events yet to read the account's default from; the endpoint renders events in ${r.apiVersion.endpoint}`
      : r.apiVersion.account === r.apiVersion.endpoint
        ? `API version: ${r.apiVersion.account}, the one the plugin reads`
        : `API version: the account defaults to ${r.apiVersion.account}; the endpoint is pinned to ${r.apiVersion.endpoint}, the one the plugin reads`,
    `webhook endpoint ${sync.endpoint.id} ${sync.action}: ${sync.endpoint.url} (${sync.endpoint.enabled_events.length} events)`,
    ...sync.removed.map((e) => `removed webhook endpoint ${e.id}: ${e.why}`),
    r.stored.changed
      ? `stored for merchant ${r.merchant}: the Stripe key (from ${r.stored.apiKeyFrom}) and the endpoint's ${r.stored.signingSecret === 'new' ? 'new ' : ''}signing secret`
      : `stored for merchant ${r.merchant}: already up to date`,
    'left to do:',
  ];
  const left = r.remaining;
  if (left.flexchargeCredentials.length === 0)
    lines.push(
      `  - FlexCharge credentials: none stored; flexcharge-mit merchants set-credentials ${r.merchant} --environment sandbox --mid … --app-key-env … --app-secret-env … --webhook-key-env …`,
    );
  else lines.push(`  - FlexCharge credentials: stored for ${left.flexchargeCredentials.join(', ')}`);
  lines.push(`  - register this webhook URL in FlexCharge's portal: ${left.flexchargeWebhookUrl}`);
  lines.push(
    left.mitFlow.startsWith('off')
      ? `  - the MIT flow is off: flexcharge-mit merchants set-flow ${r.merchant} mit --mode shadow|on --environment sandbox|production`
      : `  - the MIT flow is ${left.mitFlow}`,
  );
  for (const note of left.notes) lines.push(`  - ${note}`);
  return lines;
}

/**
 * Rewrites the merchant's Stripe connection with what install and uninstall own (the key, the signing
 * secret, the endpoint), audited as `cli`; the rest (Connect account, write-back mode) is carried over,
 * since the connection is stored whole.
 */
async function storeStripeConnection(
  store: MerchantStore,
  owned: { apiKey: string | null; webhookSecret: string | null; webhookEndpointId: string | null },
): Promise<void> {
  const { merchant, connection } = store;
  await createMerchantChanges(store.db, store.box).apply(
    {
      merchantId: merchant.id,
      actor: 'cli',
      at: store.now,
      action: 'engine.updated',
      part: merchantParts.engine('stripe'),
    },
    (m) =>
      m.putEngineConnection(
        merchant.id,
        {
          engine: 'stripe',
          stripeAccountId: connection?.stripeAccountId ?? null,
          writeBackMode: connection?.writeBackMode ?? 'paid_out_of_band',
          ...owned,
        },
        store.now,
      ),
  );
}
