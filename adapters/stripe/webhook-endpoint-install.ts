import Stripe from 'stripe';
import { stripeCall } from './map-stripe-error.js';

/**
 * What `flexcharge-mit install` and `uninstall` do in Stripe: check what the key may do, and keep
 * exactly one webhook endpoint per merchant that points at the plugin. The plugin's endpoints carry
 * `metadata[flexcharge_mit]=installed` and the merchant id, so the merchant's other endpoints are never
 * read as ours, changed or deleted.
 */

export const INSTALL_MARK_KEY = 'flexcharge_mit';
export const INSTALL_MARK_VALUE = 'installed';
export const INSTALL_MERCHANT_KEY = 'flexcharge_mit_merchant';

export type PermissionLevel = 'read' | 'write';

/** A restricted key's permission on one resource, named as its `/v1` path (`invoices`). */
export interface StripePermission {
  readonly resource: string;
  readonly level: PermissionLevel;
}

export interface StripeAccess {
  /** `acct_…`, or null when the key may not read its account (a restricted key without it). */
  readonly accountId: string | null;
  /** The account's default API version, as its newest event was rendered; null with no events yet. */
  readonly accountApiVersion: string | null;
  /** Permissions the key lacks, from those asked for. */
  readonly missing: readonly StripePermission[];
}

// An id no object has: a write to it is refused for a missing permission (403) before it is refused
// for the missing object (404), so the check changes nothing in the account.
const PROBE_ID = 'flexcharge_mit_permission_probe';

/**
 * Whether the key has each of `needed`, without changing anything: a read is a one-item list, a
 * write an update of an object that does not exist. A full secret key passes every probe; a
 * restricted key lacking one is answered 403 (stripe-node's `StripePermissionError`). Anything else
 * that goes wrong (a revoked key, an outage) is thrown as the plugin's error.
 */
export async function checkStripeAccess(
  stripe: Stripe,
  needed: readonly StripePermission[],
): Promise<StripeAccess> {
  const missing: StripePermission[] = [];
  for (const permission of needed) {
    const { resource, level } = permission;
    const allowed = await probe(() =>
      level === 'read'
        ? stripe.rawRequest('GET', `/v1/${resource}?limit=1`)
        : stripe.rawRequest('POST', `/v1/${resource}/${PROBE_ID}`, {}),
    );
    if (!allowed) missing.push(permission);
  }
  let accountId: string | null = null;
  await probe(async () => {
    accountId = ((await stripe.rawRequest('GET', '/v1/account')) as { id: string }).id;
  });
  let accountApiVersion: string | null = null;
  await probe(async () => {
    accountApiVersion = (await stripe.events.list({ limit: 1 })).data[0]?.api_version ?? null;
  });
  return { accountId, accountApiVersion, missing };
}

/** True when the call was allowed (whatever else it answered), false for a permission error. */
async function probe(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (error instanceof Stripe.errors.StripePermissionError) return false;
    // 400/404 mean the key got past the permission check to the request itself.
    if (error instanceof Stripe.errors.StripeInvalidRequestError) return true;
    return stripeCall('check the key', () => Promise.reject(error));
  }
}

/** The endpoint the plugin wants for one merchant. */
export interface EndpointSpec {
  readonly merchantId: string;
  readonly url: string;
  readonly events: readonly string[];
  /** Events are rendered in this version, the one the adapter reads (the SDK's pin). */
  readonly apiVersion: string;
}

export type EndpointAction = 'created' | 'updated' | 'unchanged';

export interface EndpointSync {
  readonly action: EndpointAction;
  readonly endpoint: Stripe.WebhookEndpoint;
  /** The signing secret: only when the endpoint was created now (Stripe shows it only then). */
  readonly secret: string | null;
  /** Earlier endpoints of ours that were deleted: duplicates, or ones whose secret is not held. */
  readonly removed: readonly { id: string; why: string }[];
}

/** Every endpoint of the account marked as the plugin's for `merchantId`, oldest first. */
export async function findInstalledEndpoints(
  stripe: Stripe,
  merchantId: string,
): Promise<Stripe.WebhookEndpoint[]> {
  const all = await stripeCall('list webhook endpoints', () =>
    stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 }),
  );
  return all
    .filter(
      (e) =>
        e.metadata?.[INSTALL_MARK_KEY] === INSTALL_MARK_VALUE &&
        e.metadata?.[INSTALL_MERCHANT_KEY] === merchantId,
    )
    .sort((a, b) => a.created - b.created);
}

/**
 * Makes the merchant's endpoint what `spec` says, creating it only when there is none whose secret
 * the plugin holds (`heldEndpointId`, the endpoint a previous install stored the secret of). An
 * endpoint rendered in another API version is replaced, as Stripe cannot change an endpoint's version.
 * The new endpoint is created before the old ones are deleted, so no event falls in between; the
 * inbox takes an event delivered to both once.
 */
export async function syncInstalledEndpoint(
  stripe: Stripe,
  spec: EndpointSpec,
  heldEndpointId: string | null,
): Promise<EndpointSync> {
  const ours = await findInstalledEndpoints(stripe, spec.merchantId);
  const held = ours.find((e) => e.id === heldEndpointId);
  const keep = held && (held.api_version ?? null) === spec.apiVersion ? held : undefined;
  const removals = ours
    .filter((e) => e !== keep)
    .map((e) => ({
      id: e.id,
      why:
        e === held
          ? `rendered events in API version ${e.api_version ?? "the account's default"}, not ${spec.apiVersion}`
          : 'its signing secret is not stored for the merchant (an earlier install, interrupted or undone)',
    }));

  let result: Omit<EndpointSync, 'removed'>;
  if (!keep) {
    const created = await stripeCall('create the webhook endpoint', () =>
      stripe.webhookEndpoints.create({
        url: spec.url,
        enabled_events: [...spec.events] as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
        api_version: spec.apiVersion as Stripe.WebhookEndpointCreateParams.ApiVersion,
        description: describeEndpoint(spec.merchantId),
        metadata: mark(spec.merchantId),
      }),
    );
    if (!created.secret) throw new Error('Stripe returned no signing secret for the new webhook endpoint');
    const { secret, ...endpoint } = created;
    result = { action: 'created', endpoint: endpoint as Stripe.WebhookEndpoint, secret };
  } else if (matches(keep, spec)) {
    result = { action: 'unchanged', endpoint: keep, secret: null };
  } else {
    const updated = await stripeCall(`update webhook endpoint ${keep.id}`, () =>
      stripe.webhookEndpoints.update(keep.id, {
        url: spec.url,
        enabled_events: [...spec.events] as Stripe.WebhookEndpointUpdateParams.EnabledEvent[],
        description: describeEndpoint(spec.merchantId),
        disabled: false,
        metadata: mark(spec.merchantId),
      }),
    );
    result = { action: 'updated', endpoint: updated, secret: null };
  }
  for (const { id } of removals) await deleteEndpoint(stripe, id);
  return { ...result, removed: removals };
}

/** Deletes every endpoint of ours for the merchant; answers their ids (none: nothing was there). */
export async function removeInstalledEndpoints(stripe: Stripe, merchantId: string): Promise<string[]> {
  const ours = await findInstalledEndpoints(stripe, merchantId);
  for (const endpoint of ours) await deleteEndpoint(stripe, endpoint.id);
  return ours.map((e) => e.id);
}

async function deleteEndpoint(stripe: Stripe, id: string): Promise<void> {
  try {
    await stripe.webhookEndpoints.del(id);
  } catch (error) {
    // Already gone (another run got there first): what we wanted.
    if (error instanceof Stripe.errors.StripeError && error.code === 'resource_missing') return;
    await stripeCall(`delete webhook endpoint ${id}`, () => Promise.reject(error));
  }
}

function matches(endpoint: Stripe.WebhookEndpoint, spec: EndpointSpec): boolean {
  const enabled = new Set(endpoint.enabled_events);
  return (
    endpoint.url === spec.url &&
    endpoint.status === 'enabled' &&
    enabled.size === new Set(spec.events).size &&
    spec.events.every((e) => enabled.has(e))
  );
}

function mark(merchantId: string): Record<string, string> {
  return { [INSTALL_MARK_KEY]: INSTALL_MARK_VALUE, [INSTALL_MERCHANT_KEY]: merchantId };
}

function describeEndpoint(merchantId: string): string {
  return `FlexCharge MIT rescue plugin (merchant ${merchantId}); managed by flexcharge-mit install`;
}
