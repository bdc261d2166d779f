import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextDue, webhookHostsAt } from '../../src/cadence/next-due.ts';
import { DEFAULT_CADENCE as P } from '../../src/cadence/policy.ts';
import { webhookActivity } from '../../src/cadence/webhook-activity.ts';
import type { PullRequestState } from '../../src/domain/row.ts';
import { parseProviderConfigs, ProviderConfigError } from '../../src/providers/config.ts';
import { ConfigError } from '../../src/config/env.ts';
import { loadTemplate } from '../../src/dev/template.ts';
import { readRefreshEnv } from '../../src/system/from-env.ts';
import { readWebhookEnv } from '../../src/system/webhook-from-env.ts';
import { ManualClock } from '../support/fakes.ts';

const NOW = 1_800_000_000_000;
const refreshed = (url: string, pullRequestState: PullRequestState) =>
  ({ kind: 'refreshed', status: { url, pullRequestState }, httpCache: {} }) as unknown as Parameters<typeof nextDue>[1];

test('PRs on a host that sends webhooks poll at the 15-minute safety cadence; everything else at 120 s', () => {
  const hosts = webhookHostsAt(NOW, ['github.com', 'ghe.example.com:8443'], new Map(), P);
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
  const hosts = webhookHostsAt(NOW, ['github.com', 'ghe.example.com:8443'], new Map(), P);
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

test('the safety poll of a PR on a webhook host doubles with its quiet time beyond the active hour, up to an hour; an App host stays at its hour', () => {
  const hosts = webhookHostsAt(NOW, ['github.com', 'ghe.example.com'], new Map(), P, new Set(['ghe.example.com']));
  assert.equal(P.webhookQuietSafetyMs, 60 * 60_000);
  const minutes = 60_000;
  const window = P.activeWindowMs;
  const cases: [string, string, PullRequestState, number | undefined, number][] = [
    ['changed 10 minutes ago', 'https://github.com/o/r/pull/1', 'open', NOW - 10 * minutes, 15 * minutes],
    ['quiet 29 minutes beyond the active hour', 'https://github.com/o/r/pull/1', 'open', NOW - window - 29 * minutes, 15 * minutes],
    ['quiet 30 minutes beyond it', 'https://github.com/o/r/pull/1', 'open', NOW - window - 30 * minutes, 30 * minutes],
    ['quiet 59 minutes beyond it', 'https://github.com/o/r/pull/1', 'open', NOW - window - 59 * minutes, 30 * minutes],
    ['quiet an hour beyond it', 'https://github.com/o/r/pull/1', 'open', NOW - window - 60 * minutes, 60 * minutes],
    ['quiet for days', 'https://github.com/o/r/pull/1', 'open', NOW - 3 * 86_400_000, 60 * minutes],
    ['merged, quiet for days: its own cap is longer', 'https://github.com/o/r/pull/1', 'merged', NOW - 3 * 86_400_000, P.closedCapMs],
    ['App host, changed 10 minutes ago', 'https://ghe.example.com/o/r/pull/1', 'open', NOW - 10 * minutes, P.appSafetyTtlMs],
    ['App host, quiet for days', 'https://ghe.example.com/o/r/pull/1', 'open', NOW - 3 * 86_400_000, P.appSafetyTtlMs],
    ['no webhooks, quiet for days: the open cap', 'https://gitlab.com/g/r/-/merge_requests/1', 'open', NOW - 3 * 86_400_000, P.openCapMs],
  ];
  for (const [name, url, state, changedAt, ttl] of cases) {
    // The row already shows what the refresh found: nothing changed, so its quiet time counts.
    const row = { chatId: 'c', url, pullRequestState: state, changedAt };
    assert.equal(nextDue(row, refreshed(url, state), NOW, P, () => 0, hosts).staleAt, NOW + ttl, name);
  }
  const longer = { ...P, webhookQuietSafetyMs: 4 * 60 * minutes };
  const quiet = (url: string) => ({ chatId: 'c', url, pullRequestState: 'open' as const, changedAt: NOW - 3 * 86_400_000 });
  assert.equal(nextDue(quiet('https://github.com/o/r/pull/1'), refreshed('https://github.com/o/r/pull/1', 'open'), NOW, longer, () => 0, hosts).staleAt, NOW + 4 * 60 * minutes, 'the cap is a setting');
  assert.equal(nextDue(quiet('https://ghe.example.com/o/r/pull/1'), refreshed('https://ghe.example.com/o/r/pull/1', 'open'), NOW, { ...P, webhookQuietSafetyMs: 5 * minutes }, () => 0, hosts).staleAt, NOW + P.appSafetyTtlMs, 'never below the host\'s own safety poll');
});

test('a host counts while its last delivery is within the hour, and goes back to normal polling after', () => {
  const deliveries = new Map([
    ['github.com', NOW - 59 * 60_000],
    ['gitlab.com', NOW - 61 * 60_000],
  ]);
  assert.deepEqual([...webhookHostsAt(NOW, ['ghe.example.com'], deliveries, P).keys()].sort(), ['ghe.example.com', 'github.com']);
  assert.deepEqual([...webhookHostsAt(NOW + 2 * 60_000, [], deliveries, P).keys()], [], 'deliveries stopped');
});

test('a host with a GitHub App (its failed deliveries redelivered) polls its PRs at the App safety cadence; a branch without a PR keeps the hour', () => {
  const hosts = webhookHostsAt(NOW, ['github.com', 'ghe.example.com'], new Map(), P, new Set(['github.com', 'gitlab.com']));
  assert.deepEqual([...hosts], [['github.com', P.appSafetyTtlMs], ['ghe.example.com', P.webhookSafetyTtlMs]], 'an App host that sends nothing is not a webhook host');
  assert.equal(P.appSafetyTtlMs, 60 * 60_000);
  const cases: [string, string, PullRequestState, number][] = [
    ['open PR on the App host', 'https://github.com/o/r/pull/1', 'open', P.appSafetyTtlMs],
    ['merged PR on the App host (its cap is longer)', 'https://github.com/o/r/pull/1', 'merged', P.appSafetyTtlMs],
    ['open PR on a webhook host without an App', 'https://ghe.example.com/o/r/pull/1', 'open', P.webhookSafetyTtlMs],
  ];
  for (const [name, url, state, ttl] of cases) {
    assert.equal(nextDue({ chatId: 'c' }, refreshed(url, state), NOW, P, () => 0, hosts).staleAt, NOW + ttl, name);
  }
  const noPr = nextDue({ chatId: 'c', gitRemoteOrigin: 'https://github.com/o/r', updatedAt: NOW }, { kind: 'no_pr', httpCache: {} }, NOW, P, () => 0, hosts);
  assert.equal(noPr.staleAt, NOW + P.webhookNoPullRequestMs);
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
  assert.deepEqual([...(await activity.activeHosts())], [['github.com', P.webhookSafetyTtlMs]]);
  assert.equal(reads, 2);
});

test('GIT_PROVIDERS: "webhooks": true marks a host; anything but a boolean is refused', () => {
  const [github, gitlab] = parseProviderConfigs('[{"type":"github","webUrl":"https://github.com","webhooks":true},{"type":"gitlab","webUrl":"https://gitlab.com"}]');
  assert.equal(github?.webhooks, true);
  assert.equal(gitlab?.webhooks, undefined);
  assert.throws(() => parseProviderConfigs('[{"type":"github","webUrl":"https://github.com","webhooks":"yes"}]'), ProviderConfigError);
});

test('CADENCE_* reach both functions that refresh rows: a delivery plans the next poll with the loop\'s cadence; a bad value is refused', () => {
  const base = { TABLE_NAME: 't', TOKENS_TABLE_NAME: 'k', HTTP_CACHE_TABLE_NAME: 'c', DELIVERIES_TABLE_NAME: 'd', WEBHOOK_SECRETS: '{"*":"s"}' };
  const set = { CADENCE_OPEN_CAP_MS: '1800000', CADENCE_APP_SAFETY_MS: '21600000', CADENCE_WEBHOOK_QUIET_SAFETY_MS: '7200000' };
  for (const [name, read] of [['refresh', readRefreshEnv], ['webhook', readWebhookEnv]] as const) {
    assert.deepEqual(read(base).settings.cadence, P, `${name}: defaults`);
    const cadence = read({ ...base, ...set }).settings.cadence;
    assert.equal(cadence.openCapMs, 1_800_000, name);
    assert.equal(cadence.appSafetyTtlMs, 21_600_000, name);
    assert.equal(cadence.webhookQuietSafetyMs, 7_200_000, name);
    assert.throws(() => read({ ...base, CADENCE_APP_SAFETY_MS: '1000' }), (err: unknown) => err instanceof ConfigError && err.variable === 'CADENCE_APP_SAFETY_MS', name);
  }
  const variables = (fn: string) => {
    const env = (loadTemplate().Resources[fn]?.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    return Object.keys(env).filter((v) => v.startsWith('CADENCE_')).sort();
  };
  assert.deepEqual(variables('WebhookFunction'), variables('RefreshFunction'));
  assert.ok(variables('RefreshFunction').includes('CADENCE_APP_SAFETY_MS'));
  assert.ok(variables('RefreshFunction').includes('CADENCE_WEBHOOK_QUIET_SAFETY_MS'));
  const defaults = loadTemplate().Parameters as Record<string, { Default: unknown }>;
  assert.equal(defaults.CadenceOpenCapMs?.Default, P.openCapMs, 'the template deploys the code\'s defaults');
  assert.equal(defaults.CadenceWebhookQuietSafetyMs?.Default, P.webhookQuietSafetyMs);
});
