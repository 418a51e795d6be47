import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { ADMIN_TOKEN, type HttpHarness, startHttpHarness } from '../http/http-harness.js';
import { launchBrowser, SCREENSHOT_DIR } from '../support/browser.js';
import { generateLedgerMonth, type LedgerMonth } from '../support/ledger-fixture.js';
import { expectedFigures, parseCsv, type Row } from './ledger-recount.js';

const PERIOD = 'from=2026-05-01&to=2026-05-31';
const COUNT = 4000;

describe('the finance ledger and report over a generated month', () => {
  let h: HttpHarness;
  let month: LedgerMonth;
  let keyAcme: string;
  const get = (path: string, credential = ADMIN_TOKEN) =>
    h.http.get(path).set('authorization', `Bearer ${credential}`);

  /** Every row of a ledger, page by page, following its cursor. */
  async function allRows(path: string, query: string, credential = ADMIN_TOKEN): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `${path}?${query}&limit=700${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        credential,
      );
      assert.equal(res.status, 200, res.text);
      rows.push(...res.body.rows);
      cursor = res.body.nextCursor;
    } while (cursor);
    return rows;
  }

  before(async () => {
    h = await startHttpHarness();
    month = await generateLedgerMonth(h.database.db, { seed: 20260501, count: COUNT });
    const made = await h.http
      .post('/admin/merchants/acme/api-keys')
      .set('authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'finance' });
    assert.equal(made.status, 201, made.text);
    keyAcme = made.body.key;
  });
  after(() => h.close());

  it('pages the whole month by cursor, in failure-time order, each row once', async () => {
    const rows = await allRows('/admin/ledger', PERIOD);
    assert.equal(rows.length, month.inside, 'the rows of the period, none from outside it');
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no row twice');
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1] as Row, rows[i] as Row];
      const key = (r: Row) => [String(r.failedAt), String(r.id)] as const;
      const [[atA, idA], [atB, idB]] = [key(a), key(b)];
      assert.ok(
        atA < atB || (atA === atB && idA < idB),
        `order at ${i}: ${a.failedAt} ${a.id} / ${b.failedAt} ${b.id}`,
      );
    }
    const tied = rows.filter((r, i) => i > 0 && rows[i - 1]?.failedAt === r.failedAt);
    assert.ok(tied.length > 50, 'the month has rows sharing a failure time, across page boundaries');
    const recovered = rows.find((r) => r.state === 'recovered' && r.siteId !== null);
    assert.ok(recovered);
    for (const field of [
      'merchantId',
      'siteUrl',
      'statementDescriptor',
      'flow',
      'environment',
      'invoiceId',
      'customerId',
      'amount',
      'currency',
      'flexchargeOrderId',
      'confirmationId',
      'finalAt',
      'writeBackReference',
    ])
      assert.notEqual(recovered[field], null, `a recovered row's ${field}`);
    const conflict = rows.find((r) => r.state === 'conflict');
    assert.ok(conflict?.refundReference && conflict.refundedAt, 'a conflict names its refund');
    const declined = rows.find((r) => r.declineCode === 'insufficient_funds');
    assert.equal(declined?.declineMessage, 'Your card has insufficient funds.');
  });

  it('exports the same rows as CSV, field for field', async () => {
    for (const [path, query] of [
      ['/admin/ledger', PERIOD],
      ['/admin/merchants/acme/ledger', `${PERIOD}&environment=sandbox`],
      ['/admin/ledger', `${PERIOD}&merchant=globex&mode=shadow`],
    ] as const) {
      const json = await allRows(path, query);
      const res = await get(`${path}.csv?${query}`).buffer(true);
      assert.equal(res.status, 200, res.text);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.equal(res.headers['cache-control'], 'no-store');
      const [header, ...lines] = parseCsv(res.text);
      assert.ok(header);
      assert.equal(lines.length, json.length, `${path}?${query}`);
      assert.ok(json.length > 20, `${path}?${query} has rows`);
      lines.forEach((line, i) => {
        const row = json[i] as Row;
        const asText = header.map((column) => {
          const v = row[column];
          return v === null || v === undefined ? '' : String(v);
        });
        assert.deepEqual(line, asText, `row ${i} of ${path}.csv?${query}`);
      });
    }
  });

  it('reports figures that the ledger rows recount, per environment and merchant, in every breakdown', async () => {
    let checked = 0;
    for (const environment of ['production', 'sandbox'] as const)
      for (const merchant of [null, 'acme', 'globex']) {
        const scope = merchant ? `&merchant=${merchant}` : '';
        const query = `${PERIOD}&environment=${environment}${scope}`;
        const report = (await get(`/admin/report?${query}`).expect(200)).body.report;
        const rows = await allRows('/admin/ledger', query);
        assert.ok(
          rows.every((r) => r.environment === environment),
          'one environment only',
        );
        const totals = expectedFigures(rows);
        assert.deepEqual(report.totals, totals, `totals of ${query}`);
        checked++;
        const keys: Record<string, (r: Row) => unknown> = {
          site: (r) => r.siteId,
          descriptor: (r) => r.statementDescriptor,
          declineCode: (r) => r.declineCode,
          flow: (r) => r.flow,
          channel: (r) => r.channel,
          day: (r) => (r.failedAt as string).slice(0, 10),
        };
        for (const [name, keyOf] of Object.entries(keys)) {
          const entries: { key: unknown; figures: unknown }[] = report.by[name];
          const keysSeen = new Set(rows.map(keyOf));
          for (const key of keysSeen)
            assert.ok(
              entries.some((e) => e.key === key),
              `${name} ${key} missing in ${query}`,
            );
          for (const entry of entries) {
            const expected = expectedFigures(rows.filter((r) => keyOf(r) === entry.key));
            assert.deepEqual(entry.figures, expected, `${name} ${entry.key} of ${query}`);
          }
        }
      }
    assert.equal(checked, 6);

    // The partner's production month: every part of the issue is there, in two currencies apart.
    const all = (await get(`/admin/report?${PERIOD}`).expect(200)).body.report;
    const t = all.totals;
    assert.equal(all.environment, 'production');
    assert.deepEqual(Object.keys(t.recoveredAmount).sort(), ['eur', 'usd']);
    assert.ok(t.failures > 2000 && t.recovered > 500 && t.conflicts > 0 && t.refunds > 0);
    assert.ok(t.shadow.wouldHaveBeenHandedOver > 100);
    assert.equal(
      t.ineligible + t.pending + t.recovered + t.expired + t.declined + t.cancelled + t.conflicts,
      t.failures,
      'every live row in exactly one outcome',
    );
    assert.equal(all.by.day.length, 31);
    assert.equal(
      all.by.flow.reduce((s: number, e: { figures: { failures: number } }) => s + e.figures.failures, 0),
      t.failures,
    );
  });

  it("gives a merchant's key its own ledger and report only", async () => {
    const own = await allRows('/admin/merchants/acme/ledger', PERIOD, keyAcme);
    assert.ok(own.length > 1000 && own.every((r) => r.merchantId === 'acme'));
    assert.equal((await get(`/admin/merchants/globex/ledger?${PERIOD}`, keyAcme)).status, 404);
    assert.equal((await get(`/admin/merchants/globex/report?${PERIOD}`, keyAcme)).status, 404);
    assert.equal((await get(`/admin/ledger?${PERIOD}&merchant=acme`, keyAcme)).status, 403);
    assert.equal((await get(`/admin/ledger.csv?${PERIOD}`, keyAcme)).status, 403);
    const report = await get(`/admin/merchants/acme/report?${PERIOD}`, keyAcme).expect(200);
    assert.deepEqual(
      report.body.report.totals,
      expectedFigures(own.filter((r) => r.environment === 'production')),
    );
  });

  it('refuses a bad filter or cursor with a 400 naming it', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['from=2026-05-10&to=2026-05-01', 'to'],
      ['environment=staging', 'environment'],
      ['colour=red', 'query'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['limit=5000', 'limit'],
    ] as const) {
      const res = await get(`/admin/ledger?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.ok(JSON.stringify(res.body.error.fields ?? {}).includes(field), `${query}: ${res.text}`);
    }
    assert.equal((await get('/admin/merchants/nobody/report')).status, 404);
  });

  it('shows the report as a page with its charts, drawn on the server, in headless Chromium', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
      });
      page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) refused.push(`${r.status()} ${r.url()}`);
      });
      page.on('request', (r) => {
        if (!r.url().startsWith(h.plugin.url)) refused.push(`fetched ${r.url()}`);
      });
      // Signed in over HTTP, the session cookie handed to the browser: Chromium posts the login form
      // with `Origin: null` (the pages' Referrer-Policy is no-referrer), which the login refuses.
      const login = await h.http.post('/login').type('form').send({ password: ADMIN_TOKEN }).expect(303);
      const token = /fcm_session=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] ?? '';
      await page.context().addCookies([{ name: 'fcm_session', value: token, url: h.plugin.url }]);
      await page.goto(`${h.plugin.url}/report?${PERIOD}`);
      assert.equal(await page.locator('h1').textContent(), 'Report · all merchants');
      const charts = page.locator('svg.chart');
      assert.equal(await charts.count(), 4, 'recovered per day in USD and EUR, rate by code and by site');
      const titles = await page.locator('svg.chart > title').allTextContents();
      assert.deepEqual(titles, [
        'Recovered per day, EUR',
        'Recovered per day, USD',
        'Rescue rate by decline code',
        'Rescue rate by site',
      ]);
      assert.equal(await charts.nth(1).locator('rect').count(), 31, 'a bar per day of May');
      const box = await charts.nth(0).boundingBox();
      assert.ok(box && box.width > 600 && box.height > 150, 'the chart is drawn at its size');
      const report = (await get(`/admin/report?${PERIOD}`).expect(200)).body.report;
      const cell = (label: string) =>
        page
          .locator('section table')
          .first()
          .locator('tr', { hasText: label })
          .first()
          .locator('td')
          .textContent();
      assert.equal(await cell('Failures seen'), String(report.totals.failures));
      assert.match(
        (await cell('Recovered')) ?? '',
        new RegExp(`^${report.totals.recovered} \\(.* EUR · .* USD\\)$`),
      );
      assert.deepEqual(refused, [], 'no CSP refusal, nothing fetched from elsewhere');
      const shot = await browser.screenshot(page, 'finance-report');
      assert.ok(shot.endsWith('finance-report.png'));
      // The charts alone, at a size a person can read in the test output.
      await page
        .locator('section', { has: page.locator('svg.chart') })
        .screenshot({ path: join(SCREENSHOT_DIR, 'finance-report-charts.png') });
      const phone = await browser.newPage('phone');
      await phone.context().addCookies(await page.context().cookies());
      await phone.goto(`${h.plugin.url}/merchants/acme/report?${PERIOD}&environment=sandbox`);
      assert.equal(await phone.locator('svg.chart').count(), 4);
      await browser.screenshot(phone, 'finance-report-phone');
    } finally {
      await browser.close();
    }
  });

  it("sends a merchant's session to its own report, and its CSV matches the API's", async () => {
    const agent = request.agent(h.plugin.url);
    await agent.post('/login').type('form').send({ password: keyAcme }).expect(303);
    const partnerPage = await agent.get(`/report?${PERIOD}`);
    assert.deepEqual(
      [partnerPage.status, partnerPage.headers.location],
      [303, `/merchants/acme/report?${PERIOD}`],
    );
    assert.equal((await agent.get(`/merchants/globex/report?${PERIOD}`)).status, 404);
    const own = await agent.get(`/merchants/acme/report?${PERIOD}`);
    assert.equal(own.status, 200);
    assert.match(own.text, /Report · acme/);
    assert.equal(own.headers['cache-control'], 'no-store');
    const csv = await agent.get(`/merchants/acme/report/ledger.csv?${PERIOD}`).buffer(true);
    const api = await get(`/admin/merchants/acme/ledger.csv?${PERIOD}&environment=production`).buffer(true);
    assert.equal(csv.status, 200);
    assert.equal(csv.text, api.text, 'the page exports the production rows of its filter');
    assert.equal((await h.http.get(`/report?${PERIOD}`)).headers.location, '/login');
  });
});
