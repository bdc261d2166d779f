import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { start, type GitHostSimOptions } from '../../../src/dev/git-host-sim/server.ts';
import { auth, client, manualClock } from './helpers.ts';

const http = client();
after(() => http.agent.close());

async function withSim(options: GitHostSimOptions, body: (sim: Awaited<ReturnType<typeof start>>) => Promise<void>) {
  const sim = await start({ tokens: { 'tok-a': 'dev-a', 'tok-b': 'dev-b' }, ...options });
  const repo = sim.world.addRepo('acme', 'api');
  sim.world.openPullRequest(repo, sim.world.addBranch(repo, 'dev-a/x', 'dev-a'), { title: 'X' }, sim.world.time);
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

test('rate-limit headers count down per token, then 403 with remaining 0, then recover after reset', async () => {
  const clock = manualClock();
  await withSim({ clock, rateLimit: { limit: 3 } }, async (sim) => {
    const url = `${sim.url}/repos/acme/api/pulls/1`;
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const res = await http.get(url, auth('tok-a'));
      assert.equal(res.status, 200);
      seen.push([res.headers['x-ratelimit-remaining'], res.headers['x-ratelimit-used']]);
      assert.equal(res.headers['x-ratelimit-limit'], '3');
      assert.equal(res.headers['x-ratelimit-resource'], 'core');
      assert.equal(res.headers['x-ratelimit-reset'], String(Math.ceil((clock.now() + 3_600_000) / 1000)));
    }
    assert.deepEqual(seen, [['2', '1'], ['1', '2'], ['0', '3']]);

    const limited = await http.get(url, auth('tok-a'));
    assert.equal(limited.status, 403);
    assert.equal(limited.headers['x-ratelimit-remaining'], '0');
    assert.match(limited.json().message, /API rate limit exceeded/);
    assert.equal((await http.get(url, auth('tok-b'))).status, 200, 'another token has its own budget');

    clock.advance(3_600_000);
    const recovered = await http.get(url, auth('tok-a'));
    assert.equal(recovered.status, 200);
    assert.equal(recovered.headers['x-ratelimit-remaining'], '2');

    const stats = sim.stats.snapshot();
    assert.equal(stats.byToken['tok-a']?.rateLimited, 1);
    assert.equal(stats.byToken['tok-a']?.counted, 4);
    assert.equal(stats.byToken['tok-a']?.requests, 5);
    assert.equal(stats.byToken['tok-b']?.counted, 1);
    assert.equal(stats.rateLimited, 1);
  });
});

test('an exhausted limit answers 429 when configured so', async () => {
  await withSim({ rateLimit: { limit: 1, status: 429 } }, async (sim) => {
    const url = `${sim.url}/repos/acme/api/pulls/1`;
    assert.equal((await http.get(url, auth('tok-a'))).status, 200);
    const res = await http.get(url, auth('tok-a'));
    assert.equal(res.status, 429);
    assert.equal(res.headers['x-ratelimit-remaining'], '0');
  });
});

test('ETag on every JSON answer; If-None-Match gives 304 without body, not counted', async () => {
  const clock = manualClock();
  await withSim({ clock, rateLimit: { limit: 10 } }, async (sim) => {
    const url = `${sim.url}/repos/acme/api/pulls/1`;
    const first = await http.get(url, auth('tok-a'));
    const etag = String(first.headers.etag);
    assert.match(etag, /^W\/"[0-9a-f]{64}"$/, "GitHub's shape: a weak, quoted SHA-256");
    assert.equal(first.headers['x-ratelimit-remaining'], '9');
    for (const path of ['/repos/acme/api/pulls?head=acme:dev-a/x', '/repos/acme/api/pulls/1/reviews']) {
      assert.match(String((await http.get(sim.url + path, auth('tok-a'))).headers.etag), /^W\/"[0-9a-f]{64}"$/, path);
    }

    const again = await http.get(url, { ...auth('tok-a'), 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assert.equal(again.headers.etag, etag);
    assert.equal(again.headers['x-ratelimit-remaining'], '7', 'the 304 left the budget as it was');
    const strong = await http.get(url, { ...auth('tok-a'), 'if-none-match': etag.slice(2) });
    assert.equal(strong.status, 304, 'weak comparison: the same tag without W/ matches');

    const repo = sim.world.repo('acme', 'api')!;
    sim.world.push(repo.pulls.get(1)!, { additions: 3, deletions: 0, changedFiles: 1 }, clock.now());
    const changed = await http.get(url, { ...auth('tok-a'), 'if-none-match': etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, etag);
    assert.equal(changed.headers['x-ratelimit-remaining'], '6');

    const stats = sim.stats.snapshot();
    assert.equal(stats.notModified, 2);
    assert.equal(stats.counted, 4);
    assert.equal(stats.byEndpoint['pulls.get'], 4);
  });
});

test('a 304 is still refused once the primary limit is exhausted', async () => {
  await withSim({ rateLimit: { limit: 1 } }, async (sim) => {
    const url = `${sim.url}/repos/acme/api/pulls/1`;
    const etag = String((await http.get(url, auth('tok-a'))).headers.etag);
    assert.equal((await http.get(url, { ...auth('tok-a'), 'if-none-match': etag })).status, 403);
  });
});

test('secondary limit: 403 naming it, with retry-after, then admitted again after its window', async () => {
  const clock = manualClock();
  await withSim({ clock, secondaryLimit: { maxRequests: 2, windowMs: 60_000, retryAfterSeconds: 30 } }, async (sim) => {
    const url = `${sim.url}/repos/acme/api/pulls/1`;
    assert.equal((await http.get(url, auth('tok-a'))).status, 200);
    assert.equal((await http.get(url, auth('tok-a'))).status, 200);
    const refused = await http.get(url, auth('tok-a'));
    assert.equal(refused.status, 403);
    assert.match(refused.json().message, /secondary rate limit/);
    assert.equal(refused.headers['retry-after'], '30');
    assert.equal(refused.headers['x-ratelimit-remaining'], '4998', 'primary budget untouched by the refusal');
    assert.equal((await http.get(url, auth('tok-b'))).status, 200);
    clock.advance(60_001);
    assert.equal((await http.get(url, auth('tok-a'))).status, 200);
    assert.equal(sim.stats.snapshot().byToken['tok-a']?.secondaryRateLimited, 1);
  });
});

test('secondary limit on concurrency refuses a request while another of the same token is in flight', async () => {
  await withSim(
    { secondaryLimit: { maxConcurrent: 1, status: 429 }, latency: (route) => (route?.endpoint === 'pulls.get' ? 300 : 0) },
    async (sim) => {
      const slow = http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a'));
      // Gate: the slow request holds its slot from the moment the host saw it.
      while ((sim.stats.snapshot().byToken['tok-a']?.requests ?? 0) < 1) await new Promise((r) => setImmediate(r));
      const second = await http.get(`${sim.url}/repos/acme/api/pulls?head=acme:dev-a/x`, auth('tok-a'));
      assert.equal(second.status, 429);
      assert.match(second.json().message, /secondary rate limit/);
      assert.equal((await http.get(`${sim.url}/repos/acme/api/pulls?head=acme:dev-b/x`, auth('tok-b'))).status, 200);
      assert.equal((await slow).status, 200);
      const later = await http.get(`${sim.url}/repos/acme/api/pulls?head=acme:dev-a/x`, auth('tok-a'));
      assert.equal(later.status, 200, 'the slot is free again once the slow answer is sent');
    },
  );
});
