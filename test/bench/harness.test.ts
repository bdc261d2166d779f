import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anchorLateness, pendingLateness } from '../../bench/anchor-model.ts';
import { monthlyCost } from '../../bench/cost.ts';
import { distribution, percentile } from '../../bench/stats.ts';
import { renderLineChart } from '../../bench/svg-chart.ts';
import { VirtualClock } from '../../bench/virtual-clock.ts';
import { memoryTokens, virtualLatencyRegistry } from '../../bench/virtual-latency-registry.ts';
import { createWorld as createSimWorld } from '../../src/dev/git-host-sim/world.ts';
import { NoTokenError, ProviderError } from '../../src/domain/errors.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';

test('nearest-rank percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(distribution([3, 1, 2]), { count: 3, p50: 2, p99: 3, max: 3 });
});

test('the anchor model keeps up below 50 rows per tick and falls behind above it', () => {
  const model = (rows: number) =>
    anchorLateness({
      staleAts: Array.from({ length: rows }, (_, i) => Math.floor((i * 120_000) / rows)),
      start: 0,
      end: 240_000,
      intervalMs: 10_000,
      batchSize: 50,
      ttlMs: 120_000,
      finishMs: () => 0,
    });
  const small = model(500);
  assert.equal(small.pending.length, 0);
  assert.ok(Math.max(...small.refreshed) < 10_000);
  const large = model(2_000);
  assert.ok(large.refreshed.length <= 25 * 50, 'at most one batch of 50 per tick, ticks at 0..240 s');
  assert.ok(large.pending.length > 0);
  assert.ok(Math.max(...large.pending) > 100_000);
  assert.deepEqual(pendingLateness([5, 20, 30], 25), [20, 5]);
});

test('monthly cost: refreshes times units times price, plus idle ticks', () => {
  const c = monthlyCost({ rows: 1_000, ttlSeconds: 120, wruPerRefresh: 2, rruPerRefresh: 0, rruPerTick: 0, ticksPerMonth: 0 });
  assert.equal(c.refreshesPerMonth, 21_600_000);
  assert.equal(c.totalUsd, (21_600_000 * 2 * 0.625) / 1e6);
  const ticks = monthlyCost({ rows: 0, ttlSeconds: 120, wruPerRefresh: 0, rruPerRefresh: 0, rruPerTick: 0.5, ticksPerMonth: 2_000_000 });
  assert.equal(ticks.totalUsd, 0.125);
});

test('the virtual clock jumps forward over waits and never goes back', () => {
  const clock = new VirtualClock(1_000_000);
  const before = clock.now();
  clock.skipTo(before + 60_000);
  assert.ok(clock.now() >= before + 60_000);
  const later = clock.now();
  clock.skipTo(0);
  assert.ok(clock.now() >= later);
});

test('the chart is one SVG with a line per series and the target', () => {
  const svg = renderLineChart({
    title: 'a <b>',
    xLabel: 'rows',
    yLabel: 'lateness',
    x: [1, 2, 3],
    series: [{ name: 's1', color: '#000', values: [1_000, 2_000, 40_000] }],
    target: { value: 15_000, label: 'target' },
  });
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<polyline /g)?.length, 1);
  assert.match(svg, /a &lt;b&gt;/);
  assert.match(svg, /target/);
});

test('the virtual-latency registry keeps parsing real, waits latency / clock rate per request, answers the simulated world, and stops on abort', async () => {
  const real = createProviderRegistry(parseProviderConfigs('[{"type":"github","webUrl":"https://github.com","apiUrl":"https://api.github.com"}]'));
  const world = createSimWorld({ startAt: 0 });
  const repo = world.addRepo('octo', 'repo');
  const branch = world.addBranch(repo, 'feature', 'alice');
  const closed = world.openPullRequest(repo, branch, { title: 'First try' }, 0);
  world.close(closed, 1);
  const open = world.openPullRequest(repo, branch, { title: 'Second try' }, 2);
  world.review(open, 'bob', 'APPROVED', 3);
  const registry = virtualLatencyRegistry(real, world, 100, 4);
  const found = registry.forOrigin('https://github.com/octo/repo.git');
  assert.ok(found);
  assert.deepEqual(found.repo, real.forOrigin('https://github.com/octo/repo.git')!.repo);
  const ctx = { token: 't', signal: new AbortController().signal, cache: { get: () => undefined, set: () => {} }, truncated: () => {} };
  const started = performance.now();
  const ref = await found.provider.resolveBranchPullRequest(found.repo, 'feature', ctx);
  assert.equal(ref?.number, open.number);
  const status = await found.provider.fetchPullRequestStatus(ref!, ctx);
  assert.ok(performance.now() - started >= 70, 'a search and a status (pull, reviews): 3 requests of 100 ms virtual at rate 4, about 75 ms real');
  assert.deepEqual(
    [status.pullRequestState, status.pullRequestTitle, status.headBranch, status.approved, status.reviewerCount, status.url],
    ['open', 'Second try', 'feature', true, 1, `https://github.com/octo/repo/pull/${open.number}`],
  );
  assert.deepEqual(await found.provider.fetchPullRequestStatus(ref!, ctx), status);
  world.close(open, 4);
  assert.equal(await found.provider.resolveBranchPullRequest(found.repo, 'feature', ctx), null);
  assert.equal((await found.provider.resolveBranchPullRequest(found.repo, 'feature', ctx, true))?.number, open.number);
  assert.equal((await found.provider.fetchPullRequestStatus({ repo: found.repo, number: closed.number }, ctx)).pullRequestState, 'closed');
  await assert.rejects(found.provider.fetchPullRequestStatus({ repo: found.repo, number: 999 }, ctx), ProviderError);
  assert.equal(registry.forOrigin('https://gitlab.example/a/b.git'), null);
  const abort = new AbortController();
  const pending = found.provider.fetchPullRequestStatus(ref!, { ...ctx, signal: abort.signal });
  abort.abort(new Error('deadline'));
  await assert.rejects(pending, /deadline/);
  assert.throws(() => new VirtualClock(0, 0), RangeError);
  assert.ok(new VirtualClock(0, 2));
});

test('tokens in memory: the seeded token, or NoTokenError', async () => {
  const { provider, repo } = createProviderRegistry(parseProviderConfigs('[{"type":"github","webUrl":"https://github.com","apiUrl":"https://api.github.com"}]')).forOrigin('https://github.com/a/b')!;
  const tokens = memoryTokens({ owner1: 'secret' });
  assert.equal((await tokens.resolve('owner1', provider, repo)).value, 'secret');
  await assert.rejects(tokens.resolve('owner2', provider, repo), NoTokenError);
});
