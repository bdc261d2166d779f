import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextDue, webhookHostsAt } from '../../src/cadence/next-due.ts';
import { DEFAULT_CADENCE as P } from '../../src/cadence/policy.ts';
import { webhookActivity } from '../../src/cadence/webhook-activity.ts';
import type { PullRequestState } from '../../src/domain/row.ts';
import { parseProviderConfigs, ProviderConfigError } from '../../src/providers/config.ts';
import { ManualClock } from '../support/fakes.ts';

const NOW = 1_800_000_000_000;
const refreshed = (url: string, pullRequestState: PullRequestState) =>
  ({ kind: 'refreshed', status: { url, pullRequestState }, httpCache: {} }) as unknown as Parameters<typeof nextDue>[1];

test('PRs on a host that sends webhooks poll at the 15-minute safety cadence; everything else at 120 s', () => {
  const hosts = new Set(['github.com', 'ghe.example.com:8443']);
  const cases: [string, string, PullRequestState, number][] = [
    ['open PR on a webhook host', 'https://github.com/o/r/pull/1', 'open', 15 * 60_000],
    ['open PR on a webhook host with a port', 'https://ghe.example.com:8443/o/r/pull/1', 'open', 15 * 60_000],
    ['merged PR on a webhook host (a reopen is delivered too)', 'https://github.com/o/r/pull/1', 'merged', 15 * 60_000],
    ['closed PR on a webhook host', 'https://github.com/o/r/pull/1', 'closed', 15 * 60_000],
    ['merged PR on a host without webhooks', 'https://gitlab.com/g/r/-/merge_requests/1', 'merged', 120_000],
    ['open PR on a host without webhooks', 'https://gitlab.com/g/r/-/merge_requests/1', 'open', 120_000],
    ['a url that does not parse', 'not a url', 'open', 120_000],
  ];
  for (const [name, url, state, ttl] of cases) {
    assert.equal(nextDue({ chatId: 'c' }, refreshed(url, state), NOW, P, () => 0, hosts).staleAt, NOW + ttl, name);
  }
  assert.equal(nextDue({ chatId: 'c' }, refreshed('https://github.com/o/r/pull/1', 'open'), NOW, P, () => 0).staleAt, NOW + 120_000, 'no hosts given');
});

test('a branch without a PR on a host that sends webhooks waits for the "opened" delivery: the hour-long safety cadence, even just after a push', () => {
  const hosts = new Set(['github.com', 'ghe.example.com:8443']);
  const noPr = { kind: 'no_pr', httpCache: {} } as const;
  const justPushed = NOW - 30_000;
  const longAgo = NOW - 10 * 60_000;
  const cases: [string, string, number, number][] = [
    ['https origin on a webhook host, just pushed', 'https://github.com/o/r', justPushed, 60 * 60_000],
    ['https origin on a webhook host, quiet', 'https://GitHub.com/o/r.git', longAgo, 60 * 60_000],
    ['scp-like origin on a webhook host', 'git@github.com:o/r.git', justPushed, 60 * 60_000],
    ['ssh origin with its own port, web host with a port', 'ssh://git@ghe.example.com:2222/o/r.git', justPushed, 60 * 60_000],
    ['https origin on a host without webhooks, just pushed', 'https://gitlab.com/g/r', justPushed, 15_000],
    ['https origin on a host without webhooks, quiet', 'https://gitlab.com/g/r', longAgo, 5 * 60_000],
    ['https origin on a webhook host name but another port', 'https://ghe.example.com/o/r', justPushed, 15_000],
    ['an origin that does not parse', 'not an origin', justPushed, 15_000],
  ];
  for (const [name, origin, updatedAt, ttl] of cases) {
    const row = { chatId: 'c', gitRemoteOrigin: origin, updatedAt, changedAt: updatedAt };
    assert.equal(nextDue(row, noPr, NOW, P, () => 0, hosts).staleAt, NOW + ttl, name);
  }
  const row = { chatId: 'c', gitRemoteOrigin: 'https://github.com/o/r', updatedAt: justPushed };
  assert.equal(nextDue(row, noPr, NOW, P, () => 0).staleAt, NOW + 15_000, 'no hosts given');
});

test('a host counts while its last delivery is within the hour, and goes back to normal polling after', () => {
  const deliveries = new Map([
    ['github.com', NOW - 59 * 60_000],
    ['gitlab.com', NOW - 61 * 60_000],
  ]);
  assert.deepEqual([...webhookHostsAt(NOW, ['ghe.example.com'], deliveries, P)].sort(), ['ghe.example.com', 'github.com']);
  assert.deepEqual([...webhookHostsAt(NOW + 2 * 60_000, [], deliveries, P)], [], 'deliveries stopped');
});

test('the activity reads the last deliveries once a minute per container', async () => {
  const clock = new ManualClock(NOW);
  let reads = 0;
  let last = new Map<string, number>();
  const activity = webhookActivity({
    hosts: ['github.com'],
    configured: [],
    policy: P,
    clock,
    source: { lastDeliveries: async () => (reads++, last) },
  });
  assert.deepEqual([...(await activity.activeHosts())], []);
  last = new Map([['github.com', NOW]]);
  clock.advance(30_000);
  assert.deepEqual([...(await activity.activeHosts())], [], 'cached');
  clock.advance(30_000);
  assert.deepEqual([...(await activity.activeHosts())], ['github.com']);
  assert.equal(reads, 2);
});

test('GIT_PROVIDERS: "webhooks": true marks a host; anything but a boolean is refused', () => {
  const [github, gitlab] = parseProviderConfigs('[{"type":"github","webUrl":"https://github.com","webhooks":true},{"type":"gitlab","webUrl":"https://gitlab.com"}]');
  assert.equal(github?.webhooks, true);
  assert.equal(gitlab?.webhooks, undefined);
  assert.throws(() => parseProviderConfigs('[{"type":"github","webUrl":"https://github.com","webhooks":"yes"}]'), ProviderConfigError);
});
