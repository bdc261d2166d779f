import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ProviderError } from '../../src/domain/errors.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { createHttpAgent } from '../../src/providers/http/agent.ts';
import type { GitProvider, RepoRef } from '../../src/providers/provider.ts';
import { createProviderRegistry } from '../../src/providers/registry.ts';
import { RowConditionalCache } from '../../src/refresh/conditional-cache.ts';
import { sendJson, startLocalServer, type LocalServer } from './support/local-server.ts';

/**
 * A repository transferred to another owner, answered as GitHub does: the old path redirects
 * to `/repositories/{id}/…` (the query kept, so `head` still names the old owner), and
 * `GET /repos/{old}` leads to the repository whose `full_name` is its new place.
 */
const TOKEN = 'ghp_transfer_test_token';
let api: LocalServer;
let provider: GitProvider;
const agent = createHttpAgent();

before(async () => {
  api = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    const redirect = (location: string) => void res.writeHead(301, { location }).end();
    const moved = url.pathname.match(/^\/api\/v3\/repos\/old-owner\/(app|hostile)(\/pulls)?$/);
    if (moved) return redirect(`/api/v3/repositories/${moved[1] === 'app' ? 42 : 43}${moved[2] ?? ''}${url.search}`);
    if (url.pathname === '/api/v3/repositories/42') return sendJson(res, 200, { id: 42, full_name: 'new-owner/app' });
    if (url.pathname === '/api/v3/repositories/43') return sendJson(res, 200, { id: 43, full_name: '../../elsewhere' });
    const search = /^\/api\/v3\/(repositories\/4[23]|repos\/new-owner\/app)\/pulls$/.test(url.pathname);
    // Forks aside, only the owner's own branch has PRs: the head filter decides.
    if (search) return sendJson(res, 200, url.searchParams.get('head') === 'new-owner:feature' ? [{ number: 3 }] : []);
    sendJson(res, 404, { message: 'Not Found' });
  });
  const configs = parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: api.url }]));
  provider = createProviderRegistry(configs, { dispatcher: agent, clock: { now: () => Date.now() } }).providers[0]!;
});
after(async () => {
  await agent.close();
  await api.close();
});

function ctx(heard: RepoRef[]) {
  return {
    token: TOKEN,
    signal: AbortSignal.timeout(5_000),
    cache: new RowConditionalCache(undefined),
    truncated: () => assert.fail('no list here'),
    moved: (repo: RepoRef) => heard.push(repo),
  };
}

test('a branch search redirected after a transfer asks for the new owner and searches again there', async () => {
  const heard: RepoRef[] = [];
  const found = await provider.resolveBranchPullRequest({ host: provider.host, path: 'old-owner/app' }, 'feature', ctx(heard));
  const current = { host: provider.host, path: 'new-owner/app' };
  assert.deepEqual(found, { repo: current, number: 3 });
  assert.deepEqual(heard, [current]);
  assert.deepEqual(
    api.requests.map((r) => decodeURIComponent(r.url).replace(/&.*/, '')),
    [
      '/api/v3/repos/old-owner/app/pulls?head=old-owner:feature',
      '/api/v3/repositories/42/pulls?head=old-owner:feature',
      '/api/v3/repos/old-owner/app',
      '/api/v3/repositories/42',
      '/api/v3/repos/new-owner/app/pulls?head=new-owner:feature',
    ],
  );
});

test('a search answered directly costs one request and hears of no move', async () => {
  const heard: RepoRef[] = [];
  const start = api.requests.length;
  const found = await provider.resolveBranchPullRequest({ host: provider.host, path: 'new-owner/app' }, 'feature', ctx(heard));
  assert.equal(found?.number, 3);
  assert.deepEqual(heard, []);
  assert.equal(api.requests.length - start, 1);
});

test('a full_name that is no repository path is a provider error, never a request path', async () => {
  const start = api.requests.length;
  const err = await provider.resolveBranchPullRequest({ host: provider.host, path: 'old-owner/hostile' }, 'feature', ctx([])).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProviderError, String(err));
  assert.ok(api.requests.slice(start).every((r) => !r.url.includes('elsewhere')));
});
