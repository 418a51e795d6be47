import { FLEXCHARGE_ENVIRONMENTS } from '../../core/merchant-settings.js';
import { BREAKDOWNS, type Breakdown, type Report } from '../../reporting/report.js';
import {
  BREAKDOWN_COLUMNS,
  BREAKDOWN_TITLES,
  FIGURE_LINES,
  formatMoney,
} from '../../reporting/report-text.js';
import { type Html, html } from './html.js';
import { columnChart, rateChart } from './report-charts.js';

export interface ReportViewInput {
  report: Report;
  /** What the filter form shows: the dates as typed (YYYY-MM-DD), the merchant for the partner. */
  form: { from: string; to: string; merchant?: string | null; merchants?: readonly string[] };
  /** The page's own path (the form submits to it) and the CSV of the same filter. */
  action: string;
  csvHref: string;
}

/**
 * The report page: filters, the totals, three charts (recovered amount per day for each currency,
 * rescue rate by decline code and by site) and every breakdown as a table. Live and shadow figures
 * are apart; amounts stay in their currency.
 */
export function reportView(input: ReportViewInput): Html {
  const { report, form } = input;
  const t = report.totals;
  const currencies = Object.keys(t.recoveredAmount).sort();
  const rated = (entries: readonly Breakdown[]) =>
    entries
      .filter((e) => e.figures.rescueRate !== null)
      .slice(0, 12)
      .map((e) => ({
        label: e.label,
        value: e.figures.rescueRate ?? 0,
        note: `${e.figures.recovered} of ${e.figures.handedOver}`,
      }));
  return html`<h1>Report · ${report.merchantId ?? 'all merchants'}</h1>
<section>
<form method="get" action="${input.action}" class="fields">
<label>From <input type="text" name="from" value="${form.from}" placeholder="YYYY-MM-DD" inputmode="numeric"></label>
<label>To (inclusive) <input type="text" name="to" value="${form.to}" placeholder="YYYY-MM-DD" inputmode="numeric"></label>
<label>Environment <select name="environment">${FLEXCHARGE_ENVIRONMENTS.map(
    (e) => html`<option value="${e}"${e === report.environment ? html` selected` : ''}>${e}</option>`,
  )}</select></label>
${
  form.merchants &&
  html`<label>Merchant <select name="merchant"><option value="">all merchants</option>${form.merchants.map(
    (m) => html`<option value="${m}"${m === form.merchant ? html` selected` : ''}>${m}</option>`,
  )}</select></label>`
}
<div><button type="submit">Show</button></div>
</form>
<p class="muted">Failures from ${form.from} through ${form.to} (UTC), ${report.environment} only. <a href="${input.csvHref}">Download the ledger (CSV)</a></p>
</section>
<section>
<h2>Totals</h2>
<table>
<tbody>
${FIGURE_LINES.map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value(t)}</td></tr>`)}
</tbody>
</table>
</section>
<section>
${
  currencies.length === 0
    ? html`<p class="muted">Nothing recovered in this period.</p>`
    : currencies.map((currency) =>
        columnChart({
          title: `Recovered per day, ${currency.toUpperCase()}`,
          bars: report.by.day.map((d) => ({
            label: d.label.slice(5),
            value: d.figures.recoveredAmount[currency] ?? 0,
          })),
          format: (v) => formatMoney(Math.round(v), currency).replace(/ [A-Z]{3}$/, ''),
        }),
      )
}
${rateChart({ title: 'Rescue rate by decline code', bars: rated(report.by.declineCode) })}
${rateChart({ title: 'Rescue rate by site', bars: rated(report.by.site) })}
</section>
${BREAKDOWNS.map((name) => breakdownTable(BREAKDOWN_TITLES[name], report.by[name]))}`;
}

function breakdownTable(title: string, entries: readonly Breakdown[]): Html {
  return html`<section>
<h2>${title}</h2>
<table>
<thead><tr><th scope="col">${title.replace(/^(By|Per) /, '')}</th>${BREAKDOWN_COLUMNS.map(
    ([label]) => html`<th scope="col">${label}</th>`,
  )}</tr></thead>
<tbody>
${entries.map(
  (e) =>
    html`<tr><th scope="row">${e.label}</th>${BREAKDOWN_COLUMNS.map(
      ([, value]) => html`<td>${value(e.figures)}</td>`,
    )}</tr>`,
)}
</tbody>
</table>
</section>`;
}
