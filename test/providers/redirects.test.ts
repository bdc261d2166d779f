import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ProviderError } from '../../src/domain/errors.ts';
import { createHttpAgent } from '../../src/providers/http/agent.ts';
import { ApiClient, MAX_REDIRECTS } from '../../src/providers/http/api-client.ts';
import { githubType } from '../../src/providers/github/provider-type.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import { sendJson, startLocalServer, type LocalServer } from './support/local-server.ts';

/** Redirects: followed only below the configured API base on its own origin, a bounded number of times. */
const TOKEN = 'ghp_redirect_test_token';
let api: LocalServer;
let elsewhere: LocalServer;
const agent = createHttpAgent();

before(async () => {
  elsewhere = await startLocalServer((_req, res) => sendJson(res, 200, { stolen: true }));
  api = await startLocalServer((req, res) => {
    const url = req.url ?? '';
    const redirect = (status: number, location: string) => void res.writeHead(status, { location }).end();
    if (url === '/api/v3/repos/o/old/pulls/5') return redirect(301, '/api/v3/repos/o/new/pulls/5');
    if (url === '/api/v3/repos/o/absolute/pulls/5') return redirect(307, `${api.url}/api/v3/repositories/42/pulls/5`);
    if (url === '/api/v3/repos/o/r/pulls/6') return redirect(301, `${elsewhere.url}/api/v3/repos/o/r/pulls/6`);
    if (url === '/api/v3/repos/o/r/pulls/7') return redirect(302, url);
    if (url === '/api/v3/repos/o/r/pulls/8') return redirect(301, '/steal');
    if (url === '/api/v3/repos/o/r/pulls/9') return redirect(301, `http://user:pw@${api.host}/api/v3/x`);
    if (url.endsWith('/pulls/5')) return sendJson(res, 200, { number: 5 });
    sendJson(res, 404, { message: 'Not Found' });
  });
});
after(async () => {
  await agent.close();
  await api.close();
  await elsewhere.close();
});

function client(): ApiClient {
  return new ApiClient({
    apiUrl: `${api.url}/api/v3`,
    dispatcher: agent,
    clock: { now: () => Date.now() },
    rateLimitHeaders: githubType.rateLimitHeaders,
    headers: (token) => ({ authorization: `Bearer ${token}` }),
  });
}
const ctx = () => ({ token: TOKEN, signal: AbortSignal.timeout(5_000), cache: new RowConditionalCache(undefined), truncated: () => assert.fail('no list here') });

test('a redirect below the API base on the same origin is followed (relative or absolute), with the token', async () => {
  for (const path of ['/repos/o/old/pulls/5', '/repos/o/absolute/pulls/5']) {
    const answer = await client().get(path, ctx(), 'pull');
    assert.equal(answer.status, 200, path);
    assert.deepEqual(answer.body, { number: 5 });
  }
  assert.ok(api.requests.some((r) => r.url === '/api/v3/repositories/42/pulls/5' && r.headers.authorization === `Bearer ${TOKEN}`));
});

test('a redirect to another origin, outside the API base or with credentials is refused; a loop ends after the bound', async () => {
  const before = api.requests.length;
  for (const [number, requests] of [[6, 1], [8, 1], [9, 1], [7, MAX_REDIRECTS + 1]] as const) {
    const start = api.requests.length;
    const err = await client().get(`/repos/o/r/pulls/${number}`, ctx(), 'pull').then(() => null, (e: unknown) => e);
    assert.ok(err instanceof ProviderError, `#${number}: ${String(err)}`);
    assert.doesNotMatch(err.message, new RegExp(TOKEN));
    assert.equal(api.requests.length - start, requests, `#${number}: requests`);
  }
  assert.ok(api.requests.length > before);
  assert.equal(elsewhere.requests.length, 0, 'the token never went to another origin');
});
