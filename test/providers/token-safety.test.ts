import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { createHttpAgent } from '../../src/providers/http/agent.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';
import { sendJson, startLocalServer, type LocalServer } from './support/local-server.ts';

const TOKEN = 'ghp_SECRET_never_leaves_0123456789';
const ORIGIN_SECRET = 'glpat-IN-ORIGIN-5555';
let configured: LocalServer;
let unconfigured: LocalServer;
const agent = createHttpAgent();

before(async () => {
  unconfigured = await startLocalServer((_req, res) => sendJson(res, 200, []));
  configured = await startLocalServer((req, res) => {
    if (req.url?.includes('/pulls?')) return sendJson(res, 200, [{ number: 1 }]);
    if (req.url?.endsWith('/pulls/1')) {
      res.writeHead(302, { location: `${unconfigured.url}/steal` }).end();
      return;
    }
    if (req.url?.endsWith('/pulls/2')) return sendJson(res, 401, { message: 'Bad credentials' });
    if (req.url?.endsWith('/pulls/3')) return sendJson(res, 403, { message: 'secondary rate limit' });
    sendJson(res, 500, { message: 'boom' });
  });
});
after(async () => {
  await agent.close();
  await configured.close();
  await unconfigured.close();
});

test('a token goes only to the configured host and never into logs, errors or stored values', async () => {
  const output: string[] = [];
  const capture = (...args: unknown[]) => void output.push(args.map(String).join(' '));
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  const writes = { out: process.stdout.write, err: process.stderr.write };
  Object.assign(console, { log: capture, error: capture, warn: capture, info: capture, debug: capture });
  process.stdout.write = ((chunk: unknown) => (output.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (output.push(String(chunk)), true)) as typeof process.stderr.write;
  const errors: unknown[] = [];
  const cache = new RowConditionalCache(undefined);
  try {
    const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: configured.url }])), { dispatcher: agent });
    const ctx = { token: TOKEN, signal: new AbortController().signal, cache, truncated: () => {} };

    // Rows naming the unconfigured host resolve to no provider: nothing is sent there.
    for (const origin of [`${unconfigured.url}/o/r`, `${unconfigured.url}/o/r.git`, `http://x:${TOKEN}@${unconfigured.host}/o/r`]) {
      assert.equal(registry.forOrigin(origin), null, origin);
    }
    assert.equal(registry.forPullRequestUrl(`${unconfigured.url}/o/r/pull/1`), null);

    // Credentials inside an origin are dropped by parsing.
    const found = registry.forOrigin(`http://oauth2:${ORIGIN_SECRET}@${configured.host}/o/r.git`);
    assert.ok(found);
    assert.deepEqual(found.repo, { host: configured.host, path: 'o/r' });

    const ref = await found.provider.resolveBranchPullRequest(found.repo, 'b', ctx);
    assert.equal(ref?.number, 1);
    // A redirect to another host is not followed (the token would travel with it).
    for (const number of [1, 2, 3, 4]) {
      await found.provider.fetchPullRequestStatus({ repo: found.repo, number }, ctx).then(
        () => assert.fail('expected an error'),
        (err: unknown) => errors.push(err),
      );
    }
  } finally {
    Object.assign(console, saved);
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
  assert.equal(unconfigured.requests.length, 0, 'the unconfigured host got no request');
  assert.ok(configured.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`));
  const seen = JSON.stringify([
    output,
    errors.map((e) => [String(e), (e as Error).stack, JSON.stringify(e), String((e as Error).cause ?? '')]),
    cache.entries(),
  ]);
  assert.equal(errors.length, 4);
  for (const secret of [TOKEN, ORIGIN_SECRET]) assert.ok(!seen.includes(secret), `${secret.slice(0, 6)}... never appears`);
});
