import { FLEXCHARGE_ENVIRONMENTS, FLOW_MODES, MERCHANT_FLOWS } from '../../core/merchant-settings.js';
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

/** `GET /merchants`: every merchant, its flows, sites and which environments have credentials. */
export function merchantListView(merchants: readonly MerchantDetails[]): Html {
  return html`<h1>Merchants</h1>
<section><table>
<thead><tr><th>Merchant</th><th>Flows</th><th>Sites</th><th>Credentials</th></tr></thead>
<tbody>${merchants.map(
    (m) => html`<tr>
<td><a href="${pathOf('merchants', m.id)}">${m.name}</a><br><span class="muted">${m.id}</span></td>
<td>${m.flows.map((f) => html`${f.flow}: ${f.mode} / ${f.environment}<br>`)}${m.flows.length ? '' : html`<span class="muted">none set</span>`}</td>
<td>${m.sites.length}</td>
<td>${FLEXCHARGE_ENVIRONMENTS.map(
      (env) => html`${env}: ${m.credentials.some((c) => c.environment === env) ? 'yes' : 'no'}<br>`,
    )}</td>
</tr>`,
  )}</tbody>
</table>${merchants.length ? '' : html`<p class="muted">No merchants yet.</p>`}</section>`;
}

export interface MerchantPage {
  details: MerchantDetails;
  rescues: readonly RescueRow[];
  audit: readonly AuditEntry[];
  csrfToken: string;
  state?: FormState;
}

/** `GET /merchants/:merchant`: the merchant's settings, each with its form, rescues and audit log. */
export function merchantView(page: MerchantPage): Html {
  const { details: m } = page;
  const base = pathOf('merchants', m.id);
  return html`<h1>${m.name} <span class="muted">${m.id}</span></h1>
${stripeSection(m)}
${credentialsSection(page, base)}
${flowsSection(page, base)}
${sitesSection(page, base)}
<section><h2>Recent rescues</h2>
<table><thead><tr><th>State</th><th>Invoice</th><th>Amount</th><th>Flow</th><th>Site</th><th>Created</th></tr></thead>
<tbody>${page.rescues.map(
    (r) => html`<tr><td><a href="${base}/rescues/${encodeURIComponent(r.id)}">${r.state}</a></td>
<td>${r.invoice_id}</td><td>${amount(r)}</td><td>${r.flow}</td><td>${r.site ?? ''}</td><td>${when(r.created_at)}</td></tr>`,
  )}</tbody></table>${page.rescues.length ? '' : html`<p class="muted">No rescues yet.</p>`}</section>
<section><h2>Recent changes</h2>
<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Of</th></tr></thead>
<tbody>${page.audit.map(
    (e) =>
      html`<tr><td>${when(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.target ?? ''}</td></tr>`,
  )}</tbody></table></section>`;
}

function stripeSection(m: MerchantDetails): Html {
  return html`<section><h2>Stripe connection</h2>${
    m.engines.length
      ? html`<table><thead><tr><th>Engine</th><th>Account</th><th>API key</th><th>Webhook secret</th><th>Set</th></tr></thead>
<tbody>${m.engines.map(
          (e) => html`<tr><td>${e.engine}</td><td>${e.stripeAccountId ?? '—'}</td><td>${secret(e.apiKey)}</td>
<td>${secret(e.webhookSecret)}</td><td>${when(e.updatedAt)}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">Not connected.</p>`
  }</section>`;
}

const CREDENTIAL_FIELDS = ['appKey', 'appSecret', 'mid', 'webhookKey', 'defaultSiteId', 'defaultSiteUrl'];

function credentialsSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  return html`<section><h2>FlexCharge credentials</h2>${FLEXCHARGE_ENVIRONMENTS.map((env) => {
    const c = m.credentials.find((x) => x.environment === env);
    const form = `credentials-${env}`;
    const state = stateFor(page.state, form);
    return html`<h3>${env}</h3>${
      c
        ? html`<p>App key ${secret(c.appKey)} · app secret ${secret(c.appSecret)} · webhook key ${secret(c.webhookKey)}
· MID <code>${c.mid}</code> · set ${when(c.updatedAt)}</p>`
        : html`<p class="muted">Not set.</p>`
    }
<form method="post" action="${base}/credentials/${env}">${csrfField(page.csrfToken)}
${otherErrors(state, CREDENTIAL_FIELDS)}<div class="fields">
${input(form, state, { name: 'appKey', label: 'App key', type: 'password' })}
${input(form, state, { name: 'appSecret', label: 'App secret', type: 'password' })}
${input(form, state, { name: 'mid', label: 'MID', value: c?.mid })}
${input(form, state, { name: 'webhookKey', label: 'Webhook (subscriber) key, optional', type: 'password' })}
${input(form, state, { name: 'defaultSiteId', label: 'Default site id, optional', value: c?.defaultSiteId })}
${input(form, state, { name: 'defaultSiteUrl', label: 'Default site URL, optional', value: c?.defaultSiteUrl })}
</div><p><button type="submit">Save ${env} credentials</button></p></form>`;
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

function sitesSection(page: MerchantPage, base: string): Html {
  const m = page.details;
  const add = stateFor(page.state, 'site-new');
  return html`<section><h2>Sites</h2>${m.sites.map((s) => {
    const form = `site-${s.id}`;
    const state = stateFor(page.state, form);
    return html`<form method="post" action="${base}/sites/${encodeURIComponent(s.id)}/flows">${csrfField(page.csrfToken)}
${otherErrors(state, [])}<p><strong>${s.url ?? s.statementDescriptor ?? s.id}</strong>${s.isDefault ? ' (default)' : ''}
<br><span class="muted">sandbox site ${s.flexchargeSiteIds.sandbox ?? '—'} · production site ${s.flexchargeSiteIds.production ?? '—'}</span></p>
<div class="fields">${MERCHANT_FLOWS.map(
      (flow) =>
        html`<label><input type="checkbox" name="enabled.${flow}" value="on"${s.enabled[flow] ? html` checked` : ''}> ${flow}</label>`,
    )}<div><button type="submit">Save switches</button></div></div></form>`;
  })}${m.sites.length ? '' : html`<p class="muted">No sites yet.</p>`}
<h3>Add a site</h3>
<form method="post" action="${base}/sites">${csrfField(page.csrfToken)}
${otherErrors(add, [...SITE_FIELDS, 'isDefault'])}<div class="fields">
${input('site-new', add, { name: 'url', label: 'URL', type: 'url' })}
${input('site-new', add, { name: 'statementDescriptor', label: 'Statement descriptor' })}
${input('site-new', add, { name: 'flexchargeSiteIds.sandbox', label: 'FlexCharge sandbox site id' })}
${input('site-new', add, { name: 'flexchargeSiteIds.production', label: 'FlexCharge production site id' })}
<label><input type="checkbox" name="isDefault" value="on"> default site</label>
</div><p><button type="submit">Add site</button></p></form></section>`;
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
