import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../plugin/config/load-config.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { FINAL_STATES } from '../../plugin/core/rescue-states.js';
import type { RenewalDayResult } from '../../plugin/runtime/renewal-day/play-renewal-day.js';
import { renewalDayConfig, tellRenewalDay } from '../../plugin/runtime/renewal-day/start-renewal-day.js';
import { StoryClock } from '../../plugin/runtime/renewal-day/story-clock.js';
import { type RunningPlugin, startPlugin } from '../../plugin/runtime/start-plugin.js';
import type { DatabaseHandle } from '../../plugin/storage/database.js';
import { createTestDatabase } from '../support/test-database.js';

const ADMIN_TOKEN = 'renewal-day-admin-token-0123456789';
const SUBSCRIPTIONS = Number(process.env.RENEWAL_DAY_TEST_SIZE ?? 40);

describe('the renewal day on the embedded defaults, headless', () => {
  let database: DatabaseHandle;
  let plugin: RunningPlugin;
  let result: RenewalDayResult;
  const printed: string[] = [];

  before(async () => {
    database = await createTestDatabase();
    const clock = new StoryClock();
    const config = renewalDayConfig(loadConfig({ PORT: '0', FLEXCHARGE_ENV: 'local', ADMIN_TOKEN }), {});
    plugin = await startPlugin(config, { logger: silentLogger, clock, database, startWorker: false });
    const started = Date.now();
    result = await tellRenewalDay(plugin, clock, {
      subscriptions: SUBSCRIPTIONS,
      adminToken: ADMIN_TOKEN,
      output: { write: (text: string) => printed.push(text) },
    });
    console.log(`renewal day of ${SUBSCRIPTIONS}: ${Date.now() - started} ms\n${printed.join('')}`);
  });
  after(async () => {
    await plugin?.stop();
    await database?.close();
  });

  it('prints plain lines (no terminal control codes) and the summary the rescues table holds', async () => {
    const text = printed.join('');
    assert.ok(!text.includes('\r') && !text.includes('\u001b'), 'no terminal control codes');
    const figure = (label: string) => {
      const match = text.match(new RegExp(`^ +${label} +(\\d+)`, 'm'));
      assert.ok(match, `no "${label}" line in:\n${text}`);
      return Number(match[1]);
    };
    const rows = await database.db
      .selectFrom('flexcharge_mit.rescues')
      .select(['state', 'ineligible_reason', 'handed_off_at', 'amount', 'collected_amount', 'currency'])
      .execute();
    const inState = (state: string) => rows.filter((r) => r.state === state).length;
    assert.equal(figure('renewals'), SUBSCRIPTIONS);
    assert.equal(figure('declined'), rows.length);
    assert.equal(figure('paid at once'), SUBSCRIPTIONS - rows.length);
    assert.equal(figure('handed over to FlexCharge'), rows.filter((r) => r.handed_off_at).length);
    assert.equal(figure('recovered'), inState('recovered'));
    assert.equal(figure('expired after three weeks'), inState('released'));
    assert.equal(figure('paid by the customer meanwhile'), inState('cancelled'));
    assert.equal(figure('not handed over \\(ineligible\\)'), inState('ineligible'));
    const reasons = new Map<string, number>();
    for (const r of rows.filter((r) => r.state === 'ineligible'))
      reasons.set(r.ineligible_reason ?? '', (reasons.get(r.ineligible_reason ?? '') ?? 0) + 1);
    for (const [reason, count] of reasons) assert.equal(figure(reason), count, reason);

    const eur = rows
      .filter((r) => r.state === 'recovered' && r.currency === 'eur')
      .reduce((sum, r) => sum + (r.collected_amount ?? r.amount ?? 0), 0);
    if (eur)
      assert.match(
        text,
        new RegExp(`EUR ${(eur / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`),
      );
    assert.match(text, new RegExp(`Report: +${plugin.url}/merchants/default/report`));
    assert.match(text, new RegExp(`Onboarding: +${plugin.url}/login`));
  });

  it('tells a story with every kind of ending, each final after the three weeks', async () => {
    const { summary } = result;
    assert.ok(summary.declined > 0 && summary.declined < SUBSCRIPTIONS, 'some renewals decline, most pass');
    assert.ok(summary.recovered > 0, 'some are recovered');
    assert.ok(summary.expired > 0, 'some expire');
    assert.ok(summary.ineligible.length > 0, 'some are not handed over');
    assert.equal(summary.open, 0);
    const states = await database.db.selectFrom('flexcharge_mit.rescues').select('state').execute();
    assert.deepEqual(
      states.filter((s) => !FINAL_STATES.has(s.state)),
      [],
      'every failure ended in a final state',
    );
  });

  it('leaves every recovered invoice paid in the Stripe emulator, written back by the plugin', async () => {
    const recovered = await database.db
      .selectFrom('flexcharge_mit.rescues')
      .select('invoice_id')
      .where('state', '=', 'recovered')
      .execute();
    assert.ok(recovered.length > 0);
    for (const { invoice_id } of recovered) {
      const invoice = await plugin.stripe.stripe.invoices.retrieve(invoice_id);
      assert.equal(invoice.status, 'paid', invoice_id);
      assert.ok(invoice.metadata?.flexcharge_recovered_at, `${invoice_id} written back`);
    }
  });
});
