import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoTokenError } from '../../src/domain/errors.ts';
import { RememberedTokens } from '../../src/tokens/remembered-tokens.ts';
import type { ResolvedToken } from '../../src/tokens/token-resolver.ts';
import { FakeProvider, FakeTokens, ManualClock } from '../support/fakes.ts';

const MEMORY_MS = 5 * 60_000;
const provider = new FakeProvider();
const repo = { host: provider.host, path: 'acme/api' };

function setup(memoryMs = MEMORY_MS) {
  const clock = new ManualClock();
  const inner = new FakeTokens();
  inner.tokens.set('alice', 'token-1');
  return { clock, inner, tokens: new RememberedTokens(inner, clock, memoryMs) };
}

test('a token read is used for the memory time, then read again', async () => {
  const { clock, inner, tokens } = setup();
  assert.equal((await tokens.resolve('alice', provider, repo)).value, 'token-1');
  inner.tokens.set('alice', 'token-2');
  clock.advance(MEMORY_MS - 1);
  assert.equal((await tokens.resolve('alice', provider, repo)).value, 'token-1', 'within the memory time: not read again');
  assert.equal(inner.resolveCalls, 1);
  clock.advance(1);
  assert.equal((await tokens.resolve('alice', provider, repo)).value, 'token-2', 'then the table is read again');
  assert.equal(inner.resolveCalls, 2);
});

test('memory 0 reads the table every time', async () => {
  const { inner, tokens } = setup(0);
  await tokens.resolve('alice', provider, repo);
  await tokens.resolve('alice', provider, repo);
  assert.equal(inner.resolveCalls, 2);
});

test('an owner without a token is never remembered: a token linked is found at once', async () => {
  const { inner, tokens } = setup();
  await assert.rejects(tokens.resolve('bob', provider, repo), NoTokenError);
  inner.tokens.set('bob', 'bob-token');
  assert.equal((await tokens.resolve('bob', provider, repo)).value, 'bob-token');
});

test('a token past its expiry is not used from memory', async () => {
  const { clock } = setup();
  const expiring: ResolvedToken = { value: 'short', key: 'k', expiresAt: clock.now() + 60_000 };
  let reads = 0;
  const remembered = new RememberedTokens(
    { resolve: async () => (reads++ === 0 ? expiring : Promise.reject(new NoTokenError('expired'))), recordRateLimit: async () => {} },
    clock,
    MEMORY_MS,
  );
  assert.equal((await remembered.resolve('alice', provider, repo)).value, 'short');
  clock.advance(60_000);
  await assert.rejects(remembered.resolve('alice', provider, repo), NoTokenError, 'expired: the table is asked, and says so');
  assert.equal(reads, 2);
});

test('a rate limit recorded here is seen by the remembered token until it passes', async () => {
  const { clock, inner, tokens } = setup();
  const token = await tokens.resolve('alice', provider, repo);
  const resetAt = clock.now() + 60_000;
  await tokens.recordRateLimit(token, resetAt);
  assert.deepEqual(inner.recorded, [{ key: token.key, resetAt }], 'recorded for every container too');
  assert.equal((await tokens.resolve('alice', provider, repo)).rateLimitedUntil, resetAt);
  clock.advance(60_000);
  assert.equal((await tokens.resolve('alice', provider, repo)).rateLimitedUntil, undefined, 'a limit that has passed is dropped');
  assert.equal(inner.resolveCalls, 1);
});

test('a refused token is forgotten; resolving again is worth it only when it came from memory', async () => {
  const { clock, inner, tokens } = setup();
  const fresh = await tokens.resolve('alice', provider, repo);
  clock.advance(1_000);
  assert.equal(await tokens.refused(fresh), false, 'read from the table for this refresh: reading again gives the same');
  await tokens.resolve('alice', provider, repo);
  assert.equal(inner.resolveCalls, 2, 'forgotten: read again');
  const first = await tokens.resolve('alice', provider, repo);
  inner.tokens.set('alice', 'token-2');
  assert.equal(await tokens.refused(first), true, 'answered from memory: the table may hold another by now');
  assert.equal((await tokens.resolve('alice', provider, repo)).value, 'token-2');
});
