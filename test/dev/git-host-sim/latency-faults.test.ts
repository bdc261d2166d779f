import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { errors } from 'undici';
import { start, type GitHostSimOptions } from '../../../src/dev/git-host-sim/server.ts';
import { auth, client } from './helpers.ts';

const http = client();
after(() => http.agent.close());

async function withSim(options: GitHostSimOptions, body: (sim: Awaited<ReturnType<typeof start>>) => Promise<void>) {
  const sim = await start({ tokens: { 'tok-a': 'dev-a' }, ...options });
  for (const name of ['api', 'web']) {
    const repo = sim.world.addRepo('acme', name);
    sim.world.openPullRequest(repo, sim.world.addBranch(repo, 'dev-a/x', 'dev-a'), { title: 'X' }, sim.world.time);
  }
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

test('latency with jitter delays every answer by at least the base', async () => {
  await withSim({ latency: { baseMs: 120, jitterMs: 40 } }, async (sim) => {
    for (const path of ['/repos/acme/api/pulls/1', '/repos/acme/api/pulls?head=acme:dev-a/x']) {
      const ms = await elapsed(() => http.get(sim.url + path, auth('tok-a')));
      assert.ok(ms >= 115, `${path} answered after ${ms} ms`); // timer granularity allowance
    }
  });
});

test('latency as a function sees the route', async () => {
  const seen: (string | null)[] = [];
  await withSim({ latency: (route) => (seen.push(route?.endpoint ?? null), route?.endpoint === 'pulls.reviews' ? 150 : 0) }, async (sim) => {
    const ms = await elapsed(() => http.get(`${sim.url}/repos/acme/api/pulls/1/reviews`, auth('tok-a')));
    assert.ok(ms >= 145, `reviews answered after ${ms} ms`);
    await http.get(`${sim.url}/nowhere`, auth('tok-a'));
  });
  assert.deepEqual(seen, ['pulls.reviews', null]);
});

test('a 500 fault hits only the configured repository and is counted', async () => {
  await withSim({ faults: { 'ACME/api': { kind: 'error' } } }, async (sim) => {
    const broken = await http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a'));
    assert.equal(broken.status, 500);
    assert.ok(broken.headers['x-ratelimit-remaining'], 'rate-limit headers on faults too');
    assert.equal((await http.get(`${sim.apiUrl}/repos/acme/api/pulls?head=acme:dev-a/x`, auth('tok-a'))).status, 500);
    assert.equal((await http.get(`${sim.url}/repos/acme/web/pulls/1`, auth('tok-a'))).status, 200);
    sim.faults.set('acme/web', { kind: 'error', status: 503 });
    sim.faults.delete('acme/api');
    assert.equal((await http.get(`${sim.url}/repos/acme/web/pulls/1`, auth('tok-a'))).status, 503);
    assert.equal((await http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a'))).status, 200);
    assert.equal(sim.stats.snapshot().faults, 3);
  });
});

test('a fault with a probability breaks some requests, the same ones for the same seed', async () => {
  const statuses = async () => {
    const out: number[] = [];
    await withSim({ seed: 42, faults: { 'acme/api': { kind: 'error', probability: 0.5 } } }, async (sim) => {
      for (let i = 0; i < 20; i++) out.push((await http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a'))).status);
    });
    return out;
  };
  const first = await statuses();
  assert.ok(first.includes(500) && first.includes(200), first.join());
  assert.deepEqual(await statuses(), first);
});

test('a hanging repository never answers: the client gives up, and other repos still answer', async () => {
  await withSim({ faults: { 'acme/api': { kind: 'hang', maxHangMs: 30_000 } } }, async (sim) => {
    await assert.rejects(
      http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a'), AbortSignal.timeout(200)),
      (err: Error) => err.name === 'TimeoutError' || err instanceof errors.RequestAbortedError,
    );
    assert.equal((await http.get(`${sim.url}/repos/acme/web/pulls/1`, auth('tok-a'))).status, 200);
    assert.equal(sim.stats.snapshot().faults, 1);
  });
});

test('a hang is bounded: the host drops the connection after maxHangMs', async () => {
  await withSim({ faults: { 'acme/api': { kind: 'hang', maxHangMs: 100 } } }, async (sim) => {
    await assert.rejects(http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a')), (err: Error) => err instanceof errors.SocketError);
  });
});

test('close() ends hanging and delayed requests at once', async () => {
  const sim = await start({ tokens: { 'tok-a': 'dev-a' }, faults: { 'acme/api': { kind: 'hang', maxHangMs: 600_000 } }, latency: (route) => (route ? 0 : 600_000) });
  sim.world.addRepo('acme', 'api');
  const hanging = assert.rejects(http.get(`${sim.url}/repos/acme/api/pulls/1`, auth('tok-a')), errors.SocketError);
  const delayed = assert.rejects(http.get(`${sim.url}/elsewhere`, auth('tok-a')), errors.SocketError);
  while (sim.stats.snapshot().requests < 2) await new Promise((r) => setTimeout(r, 5));
  await sim.close();
  await hanging;
  await delayed;
});
