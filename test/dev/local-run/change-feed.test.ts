import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeFeed, pathQuantiles, type FeedRow } from '../../../src/dev/local-run/change-feed.ts';

const row = (over: Partial<FeedRow>): FeedRow => ({
  chatId: 'c1',
  gitRemoteOrigin: 'http://127.0.0.1:9000/acme/app.git',
  gitBranch: 'feature',
  pullRequestState: 'open',
  additions: 1,
  deletions: 0,
  refreshedAt: 1_000,
  ...over,
});

test('a host change shown by a refresh after a delivery is a webhook sample, from the earliest unshown change', () => {
  const feed = new ChangeFeed();
  assert.deepEqual(feed.observe([row({})]), [], 'the first look only learns the rows');
  feed.recordChange('http://127.0.0.1:9000/acme/app.git', 'feature', 2_000);
  feed.recordChange('http://127.0.0.1:9000/acme/app.git', 'feature', 2_500);
  const entries = feed.observe([row({ refreshedAt: 2_900, webhookAt: 2_600, pullRequestState: 'merged' })]);
  assert.deepEqual(entries, [{ chatId: 'c1', what: 'open -> merged', path: 'webhook', afterChangeMs: 900 }]);
});

test('a refresh with no delivery since the last one is polling; a refresh that shows nothing new is no sample', () => {
  const feed = new ChangeFeed();
  feed.observe([row({ webhookAt: 500 })]);
  feed.recordChange('http://127.0.0.1:9000/ACME/app', 'feature', 5_000);
  assert.deepEqual(feed.observe([row({ refreshedAt: 4_000, webhookAt: 500 })]), [], 'same status');
  const [entry] = feed.observe([row({ refreshedAt: 65_000, webhookAt: 500, additions: 9, deletions: 2 })]);
  assert.deepEqual(entry, { chatId: 'c1', what: '+9/-2', path: 'polling', afterChangeMs: 60_000 });
  assert.deepEqual(feed.samples('polling'), [60_000]);
  assert.deepEqual(feed.samples('webhook'), []);
});

test('a status change with no host change recorded (the first sweep) is no sample; other branches do not count', () => {
  const feed = new ChangeFeed();
  feed.observe([row({ refreshedAt: undefined, pullRequestState: undefined })]);
  feed.recordChange('http://127.0.0.1:9000/acme/app.git', 'other-branch', 500);
  assert.deepEqual(feed.observe([row({ refreshedAt: 1_000 })]), []);
  assert.deepEqual(pathQuantiles([]), { p50Ms: null, p99Ms: null });
  assert.deepEqual(pathQuantiles([3, 1, 2]), { p50Ms: 2, p99Ms: 3 });
});
