/** What Bitbucket Cloud and Bitbucket Data Center must do alike, one table over both (see flavours.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, RateLimitedError } from '../../../src/domain/errors.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';
import { bitbucketCloud, bitbucketServer, NOW } from './flavours.ts';

for (const f of [await bitbucketCloud(), await bitbucketServer()]) {
  test(`${f.name}: the same commits skip the lists on the next refresh; a new head reads them again`, async () => {
    f.servePr();
    const cache = new RowConditionalCache(undefined);
    await f.provider.fetchPullRequestStatus(f.ref(), f.ctx(cache));
    f.api.requests.length = 0;
    await f.provider.fetchPullRequestStatus(f.ref(), f.ctx(cache));
    assert.deepEqual(f.api.requests.map((r) => r.url), f.unchangedReads);
    f.servePr(f.newHead);
    f.api.requests.length = 0;
    await f.provider.fetchPullRequestStatus(f.ref(), f.ctx(cache));
    assert.equal(f.api.requests.length, f.fullReadRequests);
  });

  test(`${f.name}: 429 with Retry-After is a rate limit until then; 401 an auth error`, async () => {
    f.api.routes.set(f.prPath, { status: 429, headers: { 'retry-after': '30' }, body: f.errorBody });
    await assert.rejects(f.provider.fetchPullRequestStatus(f.ref(), f.ctx()), (e) => e instanceof RateLimitedError && e.resetAt === NOW + 30_000);
    f.api.routes.set(f.prPath, { status: 401, body: f.errorBody });
    await assert.rejects(f.provider.fetchPullRequestStatus(f.ref(), f.ctx()), AuthError);
  });
}
