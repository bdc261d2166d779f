import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, ProviderError, RateLimitedError } from '../../src/domain/errors.ts';
import { failureFor } from '../../src/providers/http/failure.ts';
import { rateLimitResetAt } from '../../src/providers/http/rate-limit.ts';
import { githubType } from '../../src/providers/github/provider-type.ts';
import { gitlabType } from '../../src/providers/gitlab/provider-type.ts';

const GH = githubType.rateLimitHeaders;
const GL = gitlabType.rateLimitHeaders;

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const inSeconds = (s: number) => String(NOW / 1000 + s);

type Row = [string, number, Record<string, string>, unknown, typeof GH, number | null];
const rows: Row[] = [
  ['GitHub primary limit: remaining 0 until reset', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': inSeconds(900) }, { message: 'API rate limit exceeded' }, GH, NOW + 900_000],
  ['GitHub 429 primary limit', 429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': inSeconds(30) }, null, GH, NOW + 30_000],
  ['retry-after wins over the reset header', 403, { 'retry-after': '120', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': inSeconds(900) }, null, GH, NOW + 120_000],
  ['retry-after as an HTTP date', 429, { 'retry-after': new Date(NOW + 45_000).toUTCString() }, null, GH, NOW + 45_000],
  ['remaining 0 without reset: a minute', 403, { 'x-ratelimit-remaining': '0' }, null, GH, NOW + 60_000],
  ['remaining 0 with a reset in the past: a minute', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': inSeconds(-10) }, null, GH, NOW + 60_000],
  ['secondary limit message without headers: a minute', 403, { 'x-ratelimit-remaining': '4000', 'x-ratelimit-reset': inSeconds(900) }, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, GH, NOW + 60_000],
  ['secondary limit with retry-after', 403, { 'retry-after': '300' }, { message: 'You have exceeded a secondary rate limit' }, GH, NOW + 300_000],
  ['Bad credentials 403 with healthy headers is no limit', 403, { 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': inSeconds(900) }, { message: 'Bad credentials' }, GH, null],
  ['403 without any sign is no limit', 403, {}, { message: 'Resource not accessible by integration' }, GH, null],
  ['401 is never a limit', 401, { 'retry-after': '60' }, { message: 'Bad credentials' }, GH, null],
  ['a 500 with remaining 0 is no limit', 500, { 'x-ratelimit-remaining': '0' }, null, GH, null],
  ['200 with remaining 0 is no limit (yet)', 200, { 'x-ratelimit-remaining': '0' }, null, GH, null],
  ['GitLab 429 with RateLimit-Reset', 429, { 'ratelimit-remaining': '0', 'ratelimit-reset': inSeconds(40) }, { message: 'Retry later' }, GL, NOW + 40_000],
  ['GitLab 429 with Retry-After', 429, { 'retry-after': '30', 'ratelimit-reset': inSeconds(40) }, null, GL, NOW + 30_000],
  ['GitLab 429 with only a future reset', 429, { 'ratelimit-reset': inSeconds(20) }, null, GL, NOW + 20_000],
  ['GitLab 429 without headers (application limit): a minute', 429, {}, 'Retry later', GL, NOW + 60_000],
  ['GitLab 403 with RateLimit-Remaining 0', 403, { 'ratelimit-remaining': '0', 'ratelimit-reset': inSeconds(15) }, null, GL, NOW + 15_000],
  ['GitLab 403 forbidden with healthy headers is no limit', 403, { 'ratelimit-remaining': '1999', 'ratelimit-reset': inSeconds(15) }, { message: '403 Forbidden' }, GL, null],
  ['GitHub names are not read for GitLab', 403, { 'x-ratelimit-remaining': '0' }, null, GL, null],
  ['unreadable retry-after is ignored', 429, { 'retry-after': 'soon' }, null, GH, NOW + 60_000],
  ['a huge retry-after waits at most an hour', 429, { 'retry-after': '999999999' }, null, GH, NOW + 3_600_000],
  ['a far HTTP-date retry-after waits at most an hour', 403, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }, null, GH, NOW + 3_600_000],
  ['a reset years ahead waits at most an hour', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': inSeconds(10 * 365 * 86_400) }, null, GH, NOW + 3_600_000],
];

for (const [name, status, headers, body, names, expected] of rows) {
  test(`rate limit: ${name}`, () => {
    assert.equal(rateLimitResetAt({ status, headers, body }, NOW, names), expected);
  });
}

test('failures map to typed errors', () => {
  const limited = failureFor({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': inSeconds(60) }, body: null }, NOW, GH, 'x');
  assert.ok(limited instanceof RateLimitedError);
  assert.equal(limited.resetAt, NOW + 60_000);
  assert.ok(failureFor({ status: 401, headers: {}, body: null }, NOW, GH, 'x') instanceof AuthError);
  assert.ok(failureFor({ status: 403, headers: {}, body: { message: 'Bad credentials' } }, NOW, GH, 'x') instanceof AuthError);
  const notFound = failureFor({ status: 404, headers: {}, body: { message: 'Not Found' } }, NOW, GH, 'GitHub pull request');
  assert.ok(notFound instanceof ProviderError);
  assert.equal(notFound.status, 404);
  assert.equal(notFound.message, 'GitHub pull request: HTTP 404 (Not Found)');
});
