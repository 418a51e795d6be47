import type { Readiness, ReadinessFacts } from '../../core/merchant-readiness.js';
import {
  FLEXCHARGE_ENVIRONMENTS,
  FLOW_MODES,
  MERCHANT_FLOWS,
  WRITE_BACK_MODES,
} from '../../core/merchant-settings.js';
import type { ApiKeyView } from '../../storage/api-key-repository.js';
import type { AuditEntry } from '../../storage/audit-log.js';
import type { MerchantDetails, RedactedSecret } from '../../storage/merchant-repository.js';
import type { RescueRow } from '../../storage/rescue-repository.js';
import { csrfField, type FormState, input, otherErrors, select, stateFor } from './form-fields.js';
import { type Html, html, pathOf } from './html.js';

const when = (d: Date | null | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '');
// A secret as the pages show it: its last four characters, or only that it is set.
const secret = (s: RedactedSecret | null) =>
  s
    ? html`<code>••••${s.last4 ?? ''}</code>${s.readable ? '' : html` <span class="error">unreadable</span>`}`
    : '—';
const amount = (row: RescueRow) =>
  row.amount === null ? '' : `${row.amount} ${row.currency ?? ''} (minor units)`;

/** A merchant's readiness in a few words: ready, or how much is missing and the first of it. */
function readinessBadge(r: Readiness): Html {
  const setup = r.checks.filter((c) => !c.ok && c.kind === 'setup');
  return r.ready
    ? html`<span class="badge ok">ready</span>`
    : html`<span class="badge missing">${setup.length} to do</span><br><span class="muted">${setup[0]?.detail ?? ''}</span>`;
}

/** `GET /merchants`: every merchant at a glance (readiness, flows, sites, credentials), and a new one. */
export function merchantListView(
  merchants: readonly { details: MerchantDetails; readiness: Readiness }[],
  csrfToken: string,
  state?: FormState,
): Html {
  const add = stateFor(state, 'merchant-new');
  return html`<h1>Merchants</h1>
<section><table class="stack">
<thead><tr><th>Merchant</th><th>Readiness</th><th>Flows</th><th>Sites</th><th>Credentials</th></tr></thead>
<tbody>${merchants.map(
    ({ details: m, readiness }) => html`<tr>
<td data-label="Merchant"><a href="${pathOf('merchants', m.id)}">${m.name}</a><br><span class="muted">${m.id}</span></td>
<td data-label="Readiness">${readinessBadge(readiness)}</td>
<td data-label="Flows">${m.flows.map((f) => html`${f.flow}: ${f.mode} / ${f.environment}<br>`)}${m.flows.length ? '' : html`<span class="muted">none set</span>`}</td>
<td data-label="Sites">${m.sites.length}</td>
<td data-label="Credentials">${FLEXCHARGE_ENVIRONMENTS.map(
      (env) => html`${env}: ${m.credentials.some((c) => c.environment === env) ? 'yes' : 'no'}<br>`,
    )}</td>
</tr>`,
  )}</tbody>
</table>${merchants.length ? '' : html`<p class="muted">No merchants yet.</p>`}</section>
<section><h2>New merchant</h2>
<form method="post" action="/merchants">${csrfField(csrfToken)}
${otherErrors(add, ['id', 'name'])}<div class="fields">
${input('merchant-new', add, { name: 'id', label: 'Id (lowercase letters, digits, _ or -)' })}
${input('merchant-new', add, { name: 'name', label: 'Name' })}
<div><button type="submit">Create merchant</button></div>
</div></form></section>`;
}

/** The answer to a form that is shown rather than redirected: a test's result, a new key. */
export interface Notice {
  readonly ok: boolean;
  readonly text: string;
  /** A new API key, shown this once. */
  readonly key?: string;
}

export interface MerchantPage {
  details: MerchantDetails;
  rescues: readonly RescueRow[];
  audit: readonly AuditEntry[];
  apiKeys: readonly ApiKeyView[];
  readiness: Readiness;
  facts: ReadinessFacts;
  csrfToken: string;
  state?: FormState;
  notice?: Notice;
}

/** `GET /merchants/:merchant`: readiness, the merchant's settings each with its form, keys, rescues, audit. */
export function merchantView(page: MerchantPage): Html {
  const { details: m, notice } = page;
  const base = pathOf('merchants', m.id);
  return html`<p class="crumbs"><a href="/merchants">Merchants</a></p>
<h1>${m.name} <span class="muted">${m.id}</span></h1>
${
  notice &&
  html`<p class="${notice.ok ? 'notice ok' : 'notice'}" role="status">${notice.text}${
    notice.key && html`<br><code class="key" id="new-api-key">${notice.key}</code>`
  }</p>`
}
${readinessSection(page.readiness)}
${merchantSection(page, base)}
${stripeSection(page, base)}
${credentialsSection(page, base)}
${flowsSection(page, base)}
${sitesSection(page, base)}
${apiKeysSection(page, base)}
<section><h2>Recent rescues</h2>
<table class="stack"><thead><tr><th>State</th><th>Invoice</th><th>Amount</th><th>Flow</th><th>Site</th><th>Created</th></tr></thead>
<tbody>${page.rescues.map(
    (
      r,
    ) => html`<tr><td data-label="State"><a href="${base}/rescues/${encodeURIComponent(r.id)}">${r.state}</a></td>
<td data-label="Invoice">${r.invoice_id}</td><td data-label="Amount">${amount(r)}</td><td data-label="Flow">${r.flow}</td><td data-label="Site">${siteName(m, r.site_id, r.site)}</td><td data-label="Created">${when(r.created_at)}</td></tr>`,
  )}</tbody></table>${page.rescues.length ? '' : html`<p class="muted">No rescues yet.</p>`}</section>
<section><h2>Recent changes</h2>
<table class="stack audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Of</th><th>Change</th></tr></thead>
<tbody>${page.audit.map(
    (e) =>
      html`<tr><td data-label="When">${when(e.at)}</td><td data-label="Who">${e.actor}</td><td data-label="What">${e.action}</td><td data-label="Of">${e.target ?? ''}</td><td data-label="Change">${auditChange(e)}</td></tr>`,
  )}</tbody></table>${page.audit.length ? '' : html`<p class="muted">No changes yet.</p>`}</section>`;
}

// A rescue's site by the name the operator gave it (its URL or descriptor), else the reference sent.
function siteName(m: MerchantDetails, siteId: string | null, sent: string | null): string {
  const s = m.sites.find((x) => x.id === siteId);
  return s?.url ?? s?.statementDescriptor ?? sent ?? '';
}

function readinessSection(r: Readiness): Html {
  return html`<section><h2>Readiness ${r.ready ? html`<span class="badge ok">ready</span>` : html`<span class="badge missing">not ready</span>`}</h2>
<ul class="checklist">${r.checks.map(
    (c) =>
      html`<li class="${c.ok ? 'ok' : c.kind === 'traffic' ? 'waiting' : 'missing'}"><span class="mark">${c.ok ? '✓' : c.kind === 'traffic' ? '…' : '✗'}</span> ${c.detail}</li>`,
  )}</ul></section>`;
}

function merchantSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  const state = stateFor(page.state, 'merchant');
  return html`<section><h2>Merchant</h2>
<form method="post" action="${base}">${csrfField(page.csrfToken)}
${otherErrors(state, ['name', 'siteMetadataKey', 'orderChannelMetadataKey'])}<div class="fields">
${input('merchant', state, { name: 'name', label: 'Name', value: m.name })}
${input('merchant', state, { name: 'siteMetadataKey', label: 'Site metadata key', value: m.siteMetadataKey })}
${input('merchant', state, { name: 'orderChannelMetadataKey', label: 'Order channel metadata key', value: m.orderChannelMetadataKey })}
<div><button type="submit">Save merchant</button></div>
</div></form></section>`;
}

/**
 * What an audit entry changed: each field whose value differs, before → after; a creation or a
 * removal lists the fields it made or took away. The entries hold redacted views only.
 */
function auditChange(e: AuditEntry): Html {
  const before = asRecord(e.before);
  const after = asRecord(e.after);
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter(
    (k) => !['updatedAt', 'createdAt', 'id', 'merchantId'].includes(k),
  );
  const changed = keys.filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]));
  if (!changed.length) return html`<span class="muted">no field changed</span>`;
  return html`${changed.map(
    (k) =>
      html`<div class="change"><span class="field">${k}</span>: ${before ? shown(before[k]) : html`<span class="muted">new</span>`} → ${after ? shown(after[k]) : html`<span class="muted">removed</span>`}</div>`,
  )}`;
}

const asRecord = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

// A redacted secret shows as its last four characters; other objects as their fields.
function shown(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const r = asRecord(v);
  if (r && 'keyId' in r) return `••••${r.last4 ?? ''}`;
  if (r)
    return Object.entries(r)
      .map(([k, x]) => `${k}=${shown(x)}`)
      .join(', ');
  return String(v);
}

function stripeSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  const e = m.engines.find((x) => x.engine === 'stripe');
  const form = 'engine-stripe';
  const state = stateFor(page.state, form);
  return html`<section><h2>Stripe connection</h2>${
    e
      ? html`<p>Account ${e.stripeAccountId ? html`<code>${e.stripeAccountId}</code>` : '—'} · API key ${secret(e.apiKey)}
· webhook secret ${secret(e.webhookSecret)} · write-back <code>${e.writeBackMode}</code> · set ${when(e.updatedAt)}</p>`
      : html`<p class="muted">Not connected.</p>`
  }
<details${e && !state ? '' : html` open`}><summary>${e ? 'Replace the' : 'Enter the'} Stripe connection</summary>
<form method="post" action="${base}/engines/stripe">${csrfField(page.csrfToken)}
${otherErrors(state, ['apiKey', 'webhookSecret', 'stripeAccountId', 'writeBackMode'])}
<p class="muted">Its own account (secret or restricted key and the webhook endpoint's signing secret), or a Connect account id. Saving replaces the whole connection.</p>
<div class="fields">
${input(form, state, { name: 'apiKey', label: 'API key (sk_… or rk_…)', type: 'password' })}
${input(form, state, { name: 'webhookSecret', label: 'Webhook signing secret (whsec_…)', type: 'password' })}
${input(form, state, { name: 'stripeAccountId', label: 'Connect account id (acct_…)', value: e?.stripeAccountId })}
${select(form, state, { name: 'writeBackMode', label: 'Rescued payments written back as', options: WRITE_BACK_MODES, selected: e?.writeBackMode ?? 'paid_out_of_band' })}
</div><p><button type="submit">Save Stripe connection</button></p></form></details></section>`;
}

const CREDENTIAL_FIELDS = ['appKey', 'appSecret', 'mid', 'webhookKey', 'defaultSiteId', 'defaultSiteUrl'];

function credentialsSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  return html`<section><h2>FlexCharge credentials</h2>${FLEXCHARGE_ENVIRONMENTS.map((env) => {
    const c = m.credentials.find((x) => x.environment === env);
    const form = `credentials-${env}`;
    const state = stateFor(page.state, form);
    const check = page.facts.credentials[env]?.lastCheck;
    return html`<h3>${env}</h3>${
      c
        ? html`<p>App key ${secret(c.appKey)} · app secret ${secret(c.appSecret)} · webhook key ${secret(c.webhookKey)}
· MID <code>${c.mid}</code> · set ${when(c.updatedAt)}</p>
<p class="last-test ${check ? (check.ok ? 'ok' : 'error') : 'muted'}">${
            check
              ? `Last test ${when(check.at)}: ${check.ok ? 'accepted' : 'refused'}, ${check.message}${check.at < c.updatedAt ? ' (before the last change)' : ''}`
              : 'Not tested yet.'
          }</p>
<div class="actions">
<form method="post" action="${base}/credentials/${env}/test" class="inline">${csrfField(page.csrfToken)}<button type="submit">Test ${env} connection</button></form>
<form method="post" action="${base}/credentials/${env}/remove" class="inline">${csrfField(page.csrfToken)}<button type="submit" class="danger">Remove ${env} credentials</button></form>
</div>`
        : html`<p class="muted">Not set.</p>`
    }
<details${c && !state ? '' : html` open`}><summary>${c ? 'Replace' : 'Enter'} ${env} credentials</summary>
<form method="post" action="${base}/credentials/${env}">${csrfField(page.csrfToken)}
${otherErrors(state, CREDENTIAL_FIELDS)}<div class="fields">
${input(form, state, { name: 'appKey', label: 'App key', type: 'password' })}
${input(form, state, { name: 'appSecret', label: 'App secret', type: 'password' })}
${input(form, state, { name: 'mid', label: 'MID', value: c?.mid })}
${input(form, state, { name: 'webhookKey', label: 'Webhook (subscriber) key, optional', type: 'password' })}
${input(form, state, { name: 'defaultSiteId', label: 'Default site id, optional', value: c?.defaultSiteId })}
${input(form, state, { name: 'defaultSiteUrl', label: 'Default site URL, optional', value: c?.defaultSiteUrl })}
</div><p><button type="submit">Save ${env} credentials</button></p></form></details>`;
  })}</section>`;
}

function flowsSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  return html`<section><h2>Flows</h2>${MERCHANT_FLOWS.map((flow) => {
    const f = m.flows.find((x) => x.flow === flow);
    const form = `flow-${flow}`;
    const state = stateFor(page.state, form);
    return html`<form method="post" action="${base}/flows/${flow}">${csrfField(page.csrfToken)}
${otherErrors(state, ['mode', 'environment'])}<div class="fields">
<div><strong>${flow}</strong><br><span class="muted">${f ? `${f.mode} / ${f.environment}` : 'not set'}</span></div>
${select(form, state, { name: 'mode', label: 'Mode', options: FLOW_MODES, selected: f?.mode ?? 'off' })}
${select(form, state, { name: 'environment', label: 'Environment', options: FLEXCHARGE_ENVIRONMENTS, selected: f?.environment ?? 'sandbox' })}
<div><button type="submit">Save ${flow}</button></div></div></form>`;
  })}</section>`;
}

const SITE_FIELDS = [
  'url',
  'statementDescriptor',
  'flexchargeSiteIds.sandbox',
  'flexchargeSiteIds.production',
];

function siteFields(form: string, state: FormState | undefined, s?: MerchantDetails['sites'][number]): Html {
  return html`${input(form, state, { name: 'url', label: 'URL', type: 'url', value: s?.url })}
${input(form, state, { name: 'statementDescriptor', label: 'Statement descriptor', value: s?.statementDescriptor })}
${input(form, state, { name: 'flexchargeSiteIds.sandbox', label: 'FlexCharge sandbox site id', value: s?.flexchargeSiteIds.sandbox })}
${input(form, state, { name: 'flexchargeSiteIds.production', label: 'FlexCharge production site id', value: s?.flexchargeSiteIds.production })}`;
}

function sitesSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  const add = stateFor(page.state, 'site-new');
  return html`<section><h2>Sites</h2>${m.sites.map((s) => {
    const form = `site-${s.id}`;
    const state = stateFor(page.state, form);
    const editForm = `site-edit-${s.id}`;
    const edit = stateFor(page.state, editForm);
    const siteBase = `${base}/sites/${encodeURIComponent(s.id)}`;
    return html`<div class="site"><form method="post" action="${siteBase}/flows">${csrfField(page.csrfToken)}
${otherErrors(state, [])}<p><strong>${s.url ?? s.statementDescriptor ?? s.id}</strong>${s.isDefault ? ' (default)' : ''}
<br><span class="muted">sandbox site ${s.flexchargeSiteIds.sandbox ?? '—'} · production site ${s.flexchargeSiteIds.production ?? '—'}</span></p>
<div class="switches">${MERCHANT_FLOWS.map(
      (flow) =>
        html`<label><input type="checkbox" name="enabled.${flow}" value="on"${s.enabled[flow] ? html` checked` : ''}> ${flow}</label>`,
    )}<button type="submit">Save switches</button></div></form>
<details${edit ? html` open` : ''}><summary>Edit or delete this site</summary>
<form method="post" action="${siteBase}">${csrfField(page.csrfToken)}
${otherErrors(edit, [...SITE_FIELDS, 'isDefault'])}<div class="fields">
${siteFields(editForm, edit, s)}
<label><input type="checkbox" name="isDefault" value="on"${s.isDefault ? html` checked` : ''}> default site</label>
${MERCHANT_FLOWS.map(
  (flow) =>
    html`<label><input type="checkbox" name="enabled.${flow}" value="on"${s.enabled[flow] ? html` checked` : ''}> ${flow} on</label>`,
)}
</div><p><button type="submit">Save site</button></p></form>
<form method="post" action="${siteBase}/delete">${csrfField(page.csrfToken)}<button type="submit" class="danger">Delete site</button></form>
</details></div>`;
  })}${m.sites.length ? '' : html`<p class="muted">No sites yet.</p>`}
<h3>Add a site</h3>
<form method="post" action="${base}/sites">${csrfField(page.csrfToken)}
${otherErrors(add, [...SITE_FIELDS, 'isDefault'])}<div class="fields">
${siteFields('site-new', add)}
<label><input type="checkbox" name="isDefault" value="on"> default site</label>
</div><p><button type="submit">Add site</button></p></form></section>`;
}

function apiKeysSection(page: MerchantPage, base: string): Html {
  const state = stateFor(page.state, 'api-key-new');
  return html`<section><h2>API keys</h2>
<table class="stack keys"><thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th><th>Status</th></tr></thead>
<tbody>${page.apiKeys.map(
    (
      k,
    ) => html`<tr><td data-label="Name">${k.name}</td><td data-label="Key"><code>fcm_${k.prefix}_…</code></td>
<td data-label="Created">${when(k.createdAt)} by ${k.createdBy}</td><td data-label="Last used">${when(k.lastUsedAt) || '—'}</td>
<td data-label="Status">${
      k.revokedAt
        ? html`revoked ${when(k.revokedAt)}`
        : html`<form method="post" action="${base}/api-keys/${encodeURIComponent(k.id)}/revoke" class="inline">${csrfField(page.csrfToken)}<button type="submit" class="danger">Revoke ${k.name}</button></form>`
    }</td></tr>`,
  )}</tbody></table>${page.apiKeys.length ? '' : html`<p class="muted">No keys yet.</p>`}
<form method="post" action="${base}/api-keys">${csrfField(page.csrfToken)}
${otherErrors(state, ['name'])}<div class="fields">
${input('api-key-new', state, { name: 'name', label: 'New key name' })}
<div><button type="submit">Create key</button></div></div></form></section>`;
}

/** `GET /merchants/:merchant/rescues/:id`: one rescue and its history. */
export function rescueView(
  merchantId: string,
  row: RescueRow,
  history: readonly { at: Date; from_state: string | null; to_state: string; note: string }[],
): Html {
  return html`<p><a href="${pathOf('merchants', merchantId)}">← ${merchantId}</a></p>
<h1>Rescue of ${row.invoice_id}</h1>
<section><table><tbody>
<tr><th>State</th><td>${row.state}</td></tr>
<tr><th>Invoice</th><td>${row.engine} ${row.invoice_id}</td></tr>
<tr><th>Amount</th><td>${amount(row)}</td></tr>
<tr><th>Flow</th><td>${row.flow} (${row.mode ?? ''} / ${row.environment ?? ''})</td></tr>
<tr><th>Site</th><td>${row.site ?? ''}</td></tr>
<tr><th>FlexCharge order</th><td>${row.flexcharge_order_id ?? ''} ${row.flexcharge_status ?? ''}</td></tr>
<tr><th>Last error</th><td>${row.last_error ?? ''}</td></tr>
<tr><th>Created</th><td>${when(row.created_at)}</td></tr>
</tbody></table></section>
<section><h2>History</h2><table><thead><tr><th>When</th><th>From</th><th>To</th><th>Note</th></tr></thead>
<tbody>${history.map(
    (h) =>
      html`<tr><td>${when(h.at)}</td><td>${h.from_state ?? ''}</td><td>${h.to_state}</td><td>${h.note}</td></tr>`,
  )}</tbody></table></section>`;
}
