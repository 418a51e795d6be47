import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessTokenCache, type IssuedToken } from '../../adapters/flexcharge/access-token-cache.js';
import { ManualClock } from '../../plugin/core/clock.js';

function setup(ttlMs = 600_000) {
  const clock = new ManualClock('2026-06-12T14:30:00Z');
  let issued = 0;
  let release: (() => void) | undefined;
  let gated = false;
  const cache = createAccessTokenCache({
    clock,
    fetchToken: async (): Promise<IssuedToken> => {
      issued += 1;
      const n = issued;
      if (gated) await new Promise<void>((resolve) => (release = resolve));
      return { accessToken: `token-${n}`, expires: clock.now().getTime() + ttlMs };
    },
  });
  return {
    clock,
    cache,
    issued: () => issued,
    gate: () => (gated = true),
    release: () => release?.(),
  };
}

describe('access token cache', () => {
  it('reuses the token until a minute before it expires, then fetches a new one', async () => {
    const t = setup();
    assert.equal(await t.cache.get(), 'token-1');
    t.clock.advance(538_000);
    assert.equal(await t.cache.get(), 'token-1');
    t.clock.advance(2_000);
    assert.equal(await t.cache.get(), 'token-2');
    assert.equal(t.issued(), 2);
  });

  it('renews a short-lived token halfway through its life', async () => {
    const t = setup(10_000);
    await t.cache.get();
    t.clock.advance(4_999);
    assert.equal(await t.cache.get(), 'token-1');
    t.clock.advance(1);
    assert.equal(await t.cache.get(), 'token-2');
  });

  it('shares one token request among concurrent callers', async () => {
    const t = setup();
    t.gate();
    const pending = Promise.all([t.cache.get(), t.cache.get(), t.cache.get()]);
    await new Promise((resolve) => setImmediate(resolve));
    t.release();
    assert.deepEqual(await pending, ['token-1', 'token-1', 'token-1']);
    assert.equal(t.issued(), 1);
  });

  it('fetches a new token after the current one is invalidated, but ignores a stale invalidation', async () => {
    const t = setup();
    await t.cache.get();
    t.cache.invalidate('token-1');
    assert.equal(await t.cache.get(), 'token-2');
    t.cache.invalidate('token-1');
    assert.equal(await t.cache.get(), 'token-2');
    assert.equal(t.issued(), 2);
  });

  it('does not cache a failed token request', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const cache = createAccessTokenCache({
      clock,
      fetchToken: async () => {
        calls += 1;
        if (calls === 1) throw new Error('refused');
        return { accessToken: 'ok', expires: clock.now().getTime() + 600_000 };
      },
    });
    await assert.rejects(cache.get(), /refused/);
    assert.equal(await cache.get(), 'ok');
  });
});
