import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { runCli } from '../../src/cli/gitsync.ts';
import { start, type GitHostSim } from '../../src/dev/git-host-sim/server.ts';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { tokenReuseMarginMs } from '../../src/tokens/app-token-resolver.ts';
import { DEFAULT_SETTINGS } from '../../src/system/settings.ts';
import { GitHubAppClient } from '../../src/providers/github/app/app-client.ts';
import { appKeySource, readKeyFile } from '../../src/providers/github/app/app-key-source.ts';
import { sharedHttpAgent } from '../../src/providers/http/agent.ts';
import { providerType } from '../../src/providers/provider-types.ts';
import { AppKeyError } from '../../src/providers/github/app/app-jwt.ts';
import { deliveriesToRetry } from '../../src/providers/github/app/failed-deliveries.ts';
import { ProviderConfigError } from '../../src/providers/config.ts';
import { dueShardFor } from '../../src/store/shard.ts';
import { githubSignature } from '../../src/providers/github/webhook.ts';
import { readRefreshEnv, systemFromEnv, type EnvSystem } from '../../src/system/from-env.ts';
import { readWebhookEnv, webhookReceiverFromEnv } from '../../src/system/webhook-from-env.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { ManualClock } from '../support/fakes.ts';

const APP_ID = '424242';
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  // As GitHub hands it out: PKCS#1.
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const dir = mkdtempSync(join(tmpdir(), 'gitsync-app-'));
const keyPath = join(dir, 'app.pem');
writeFileSync(keyPath, privateKey);

let tables: TestTables;
before(async () => {
  tables = await createTestTables();
  Object.assign(process.env, { AWS_REGION: LOCAL_AWS.region, AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey });
});
after(() => tables.close());

interface AppWorld {
  sim: GitHostSim;
  clock: ManualClock;
  /** GitHub's clock, when it differs (`simBehindMs`). */
  simClock: ManualClock;
  host: string;
  /** A "container": its own system (caches, clients) on the shared tables. */
  container(options?: { key?: string; clock?: ManualClock }): EnvSystem;
  row(chatId: string): Promise<DiffStatusRow>;
  close(): Promise<void>;
}

let worlds = 0;

/**
 * acme (App installed, id 11) and globex (not installed); alice owns rows on both and has a
 * personal token; carol has none.
 */
async function appWorld(options: { tokenLifetimeMs?: number; simBehindMs?: number; moreRows?: ReadonlyArray<readonly [org: string, chat: string, owner: string]> } = {}): Promise<AppWorld> {
  const clock = new ManualClock(Date.parse('2026-12-02T08:00:00Z') + (worlds++) * 86_400_000);
  const simClock = new ManualClock(clock.now() - (options.simBehindMs ?? 0));
  const sim = await start({
    seed: 'app',
    latency: 0,
    clock: options.simBehindMs ? simClock : clock,
    rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 },
    tokens: { 'tok-alice': 'alice' },
    app: { appId: APP_ID, publicKey, installations: { acme: 11 }, ...(options.tokenLifetimeMs ? { tokenLifetimeMs: options.tokenLifetimeMs } : {}) },
  });
  const host = new URL(sim.url).host;
  for (const [org, chat, owner] of [['acme', 'a1', 'alice'], ['acme', 'a2', 'carol'], ['globex', 'g1', 'alice'], ['globex', 'g2', 'carol'], ...(options.moreRows ?? [])] as const) {
    const repo = sim.world.repo(org, 'api') ?? sim.world.addRepo(org, 'api');
    const branch = sim.world.addBranch(repo, `feature-${chat}`, 'dev');
    sim.world.openPullRequest(repo, branch, { title: `PR of ${chat}` }, clock.now());
    await tables.doc.send(
      new PutCommand({
        TableName: tables.tableName,
        Item: {
          chatId: `${sim.url}#${chat}`,
          ownerId: owner,
          gitRemoteOrigin: `${sim.url}/${org}/api.git`,
          gitBranch: `feature-${chat}`,
          createdAt: clock.now() - 60_000,
          updatedAt: clock.now() - 60_000,
          staleAt: clock.now() - 1_000,
          dueShard: dueShardFor(`${sim.url}#${chat}`, 1),
        },
      }),
    );
  }
  await tables.doc.send(new PutCommand({ TableName: tables.tokensTableName, Item: { ownerId: 'alice', providerHost: host, accessToken: 'tok-alice' } }));
  return {
    sim,
    clock,
    simClock,
    host,
    container: (o = {}) =>
      systemFromEnv(
        readRefreshEnv({
          TABLE_NAME: tables.tableName,
          TOKENS_TABLE_NAME: tables.tokensTableName,
          HTTP_CACHE_TABLE_NAME: tables.httpCacheTableName,
          DYNAMODB_ENDPOINT: tables.endpoint,
          SHARD_COUNT: '1',
          GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl, app: { appId: APP_ID, privateKeyPath: o.key ?? keyPath } }]),
        }),
        { clock: o.clock ?? clock },
      ),
    async row(chat) {
      const out = await tables.doc.send(new GetCommand({ TableName: tables.tableName, Key: { chatId: `${sim.url}#${chat}` }, ConsistentRead: true }));
      return out.Item as DiffStatusRow;
    },
    close: () => sim.close(),
  };
}

/** Every row of the world due again now (as a push would make them). */
async function makeDue(w: AppWorld): Promise<void> {
  const system = w.container();
  for (const [chat, org] of [['a1', 'acme'], ['a2', 'acme'], ['g1', 'globex'], ['g2', 'globex']] as const) {
    await system.markStale({ chatIds: [`${w.sim.url}#${chat}`], branch: `feature-${chat}`, origin: `${w.sim.url}/${org}/api.git` });
  }
  system.close();
}

test('rows of an account with the App installed refresh with installation tokens; others with the personal token or no_token', async () => {
  const w = await appWorld();
  const system = w.container();
  try {
    await system.start();
    await system.tick();
    const [a1, a2, g1, g2] = (await Promise.all(['a1', 'a2', 'g1', 'g2'].map((c) => w.row(c)))) as [DiffStatusRow, DiffStatusRow, DiffStatusRow, DiffStatusRow];
    // carol has no personal token, but acme has the App: her acme row refreshes all the same.
    assert.equal(a1!.pullRequestTitle, 'PR of a1');
    assert.equal(a2!.pullRequestTitle, 'PR of a2');
    assert.equal(g1!.pullRequestTitle, 'PR of g1', 'globex has no installation: alice\'s personal token');
    assert.equal(g2.lastErrorKind, 'no_token', 'globex without installation and carol without token: no_token');
    assert.equal(w.sim.app!.stats.mints, 1, 'one mint for the installation, shared by both of its rows');
    const byToken = w.sim.stats.snapshot().byToken;
    const appTokens = Object.keys(byToken).filter((t) => t.startsWith('ghs_'));
    assert.equal(appTokens.length, 1);
    assert.ok(appTokens[0]!.length > 40, 'the long ghs_ format');
    // The minted token never reaches a row.
    for (const row of [a1, a2, g1, g2]) assert.ok(!JSON.stringify(row).includes(appTokens[0]!));
  } finally {
    system.close();
    await w.close();
  }
});

test('one mint per installation per hour across containers sharing the table; a new one shortly before expiry', async () => {
  const w = await appWorld();
  const containers = [w.container(), w.container(), w.container()];
  try {
    await Promise.all(containers.map((c) => c.tick()));
    for (let step = 1; step <= 7; step++) {
      w.clock.advance(7 * 60_000);
      await makeDue(w);
      await Promise.all(containers.map((c) => c.tick()));
    }
    assert.equal(w.sim.app!.stats.mints, 1, `mints in ${w.clock.now()}`);
    // 49 + 9 = 58 minutes in: the token still outlives a tick's budget and the slack...
    w.clock.advance(9 * 60_000);
    await makeDue(w);
    await Promise.all(containers.map((c) => c.tick()));
    assert.equal(w.sim.app!.stats.mints, 1, 'used until the margin, not 5 minutes before expiry');
    // ...59.5 minutes in it does not: the next user mints once more, for everyone.
    assert.equal(tokenReuseMarginMs(DEFAULT_SETTINGS.tickBudgetMs), 60_000, 'a 30 s tick budget and 30 s of slack');
    w.clock.advance(90_000);
    await makeDue(w);
    await Promise.all(containers.map((c) => c.tick()));
    assert.equal(w.sim.app!.stats.mints, 2);
    assert.equal((await w.row('a1')).lastErrorKind, undefined);
  } finally {
    for (const c of containers) c.close();
    await w.close();
  }
});

test('a token the host refuses (401) is replaced once and the rows refresh in the same tick', async () => {
  const w = await appWorld();
  const system = w.container();
  try {
    await system.tick();
    assert.equal(w.sim.app!.stats.mints, 1);
    w.sim.app!.revokeTokens();
    const repo = w.sim.world.repo('acme', 'api')!;
    w.sim.world.retitle(repo.pulls.get(1)!, 'renamed after the revocation', w.clock.now());
    await makeDue(w);
    await system.tick();
    assert.equal(w.sim.app!.stats.mints, 2, 'one new mint, shared by the installation\'s rows');
    assert.equal((await w.row('a1')).pullRequestTitle, 'renamed after the revocation');
    assert.equal((await w.row('a1')).lastErrorKind, undefined);
  } finally {
    system.close();
    await w.close();
  }
});

test('an uninstalled App falls back to the personal token once "not installed" is asked again', async () => {
  const w = await appWorld();
  const system = w.container();
  try {
    await system.tick();
    w.sim.app!.uninstall('acme');
    w.sim.app!.revokeTokens();
    await makeDue(w);
    // The next tick finds the token refused and the installation gone: alice's own token, carol none.
    await system.tick();
    assert.equal((await w.row('a1')).lastErrorKind, undefined);
    assert.equal((await w.row('a2')).lastErrorKind, 'no_token');
  } finally {
    system.close();
    await w.close();
  }
});

test('clock skew: a JWT refused as issued in the future is signed again with GitHub\'s time', async () => {
  // This deployment's clocks run 3 minutes ahead of GitHub's.
  const w = await appWorld({ simBehindMs: 180_000 });
  const system = w.container();
  try {
    await system.tick();
    assert.equal((await w.row('a1')).pullRequestTitle, 'PR of a1');
    // acme and globex were looked up at once, before the skew was known: each refused once.
    const refused = w.sim.app!.stats.jwtRefused;
    assert.ok(refused >= 1 && refused <= 2, `refused ${refused}`);
    assert.equal(w.sim.app!.stats.mints, 1);
    // From then on the skew is known: the next mint goes through at once.
    w.simClock.advance(57 * 60_000);
    w.clock.advance(57 * 60_000);
    await makeDue(w);
    await system.tick();
    assert.equal(w.sim.app!.stats.mints, 2);
    assert.equal(w.sim.app!.stats.jwtRefused, refused);
  } finally {
    system.close();
    await w.close();
  }
});

test('a token\'s expiry is read on our clock: GitHub\'s clock ahead of ours shortens it by as much', async () => {
  const w = await appWorld({ simBehindMs: -120_000 });
  try {
    const client = new GitHubAppClient({
      apiUrl: w.sim.apiUrl,
      appId: APP_ID,
      key: appKeySource({ appId: APP_ID, privateKeyPath: keyPath }, readKeyFile),
      dispatcher: sharedHttpAgent(),
      clock: w.clock,
      rateLimitHeaders: providerType('github')!.rateLimitHeaders,
    });
    const minted = await client.mint(11, AbortSignal.timeout(10_000));
    assert.equal(minted?.expiresAt, w.clock.now() + 60 * 60_000, 'GitHub says an hour from its now, two minutes ahead of ours');
  } finally {
    await w.close();
  }
});

test('a malformed or missing App key fails at start with a clear error and touches no row', async () => {
  const w = await appWorld();
  const badPath = join(dir, 'bad.pem');
  writeFileSync(badPath, '-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n');
  for (const key of [badPath, join(dir, 'missing.pem')]) {
    const system = w.container({ key });
    try {
      await assert.rejects(system.start(), (err) => err instanceof AppKeyError && !err.message.includes('not a key'));
    } finally {
      system.close();
    }
  }
  assert.equal((await w.row('a1')).updatedAt, w.clock.now() - 60_000);
  await w.close();
});

test('GIT_PROVIDERS: an app needs an id and exactly one key source, and only on a type that has Apps', () => {
  const env = (entry: Record<string, unknown>) =>
    readRefreshEnv({ TABLE_NAME: 't', TOKENS_TABLE_NAME: 'k', HTTP_CACHE_TABLE_NAME: 'c', GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: 'https://github.com', ...entry }]) });
  assert.equal(env({ app: { appId: 1234, privateKeySecret: 'gitsync/app-key' } }).settings.gitProviders[0]!.app?.appId, '1234');
  assert.throws(() => env({ app: { appId: 'x', privateKeyPath: '/k.pem' } }), ProviderConfigError);
  assert.throws(() => env({ app: { appId: '1', privateKeyPath: '/k.pem', privateKeySecret: 's' } }), ProviderConfigError);
  assert.throws(() => env({ app: { appId: '1' } }), ProviderConfigError);
  assert.throws(
    () => readRefreshEnv({ TABLE_NAME: 't', TOKENS_TABLE_NAME: 'k', HTTP_CACHE_TABLE_NAME: 'c', GIT_PROVIDERS: JSON.stringify([{ type: 'gitlab', webUrl: 'https://gitlab.com', app: { appId: '1', privateKeyPath: '/k' } }]) }),
    /cannot have an app/,
  );
});

/** The App's webhook on `w`'s tables: `deliver` signs and receives one delivery. */
function appWebhook(w: AppWorld, secret = 'app-webhook-secret') {
  const receiver = webhookReceiverFromEnv(
    readWebhookEnv({
      TABLE_NAME: tables.tableName,
      TOKENS_TABLE_NAME: tables.tokensTableName,
      HTTP_CACHE_TABLE_NAME: tables.httpCacheTableName,
      DELIVERIES_TABLE_NAME: tables.deliveriesTableName,
      DYNAMODB_ENDPOINT: tables.endpoint,
      SHARD_COUNT: '1',
      GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: w.sim.url, apiUrl: w.sim.apiUrl, app: { appId: APP_ID, privateKeyPath: keyPath } }]),
      WEBHOOK_SECRETS: JSON.stringify({ [w.host]: secret }),
    }),
    { clock: w.clock },
  );
  const deliver = (event: string, payload: unknown, id: string) => {
    const body = JSON.stringify(payload);
    return receiver.receive({
      headers: { 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': githubSignature(secret, Buffer.from(body)), 'content-type': 'application/json' },
      body,
      requestContext: { http: { method: 'POST' } },
    });
  };
  return { receiver, deliver };
}

test('an installation event makes the App count for its account at once, in every container', async () => {
  const w = await appWorld();
  const system = w.container();
  const { receiver, deliver } = appWebhook(w);
  try {
    await system.tick();
    assert.equal((await w.row('g2')).lastErrorKind, 'no_token');
    // Installed on GitHub, but this deployment remembers "not installed" for a while...
    w.sim.app!.install('globex', 12);
    await makeDue(w);
    await system.tick();
    assert.equal((await w.row('g2')).lastErrorKind, 'no_token');
    // ...until the App's own webhook says so: its rows waiting with no_token are due at once,
    // refreshed by the next tick (no clock moved), not at their next backoff.
    const waiting = await w.row('g2');
    assert.equal(waiting.awaitingToken, 'carol');
    assert.ok(waiting.staleAt! > w.clock.now() + 60_000, 'a row without a token is not due for a while');
    const report = await deliver('installation', { action: 'created', installation: { id: 12, account: { login: 'Globex' } }, sender: { login: 'admin' } }, 'install-1');
    assert.equal(report.outcome, 'processed');
    const due = await w.row('g2');
    assert.ok(due.staleAt! <= w.clock.now(), 'due now');
    assert.equal(due.awaitingToken, undefined);
    await system.tick();
    const g2 = await w.row('g2');
    assert.equal(g2.lastErrorKind, undefined);
    assert.equal(g2.pullRequestTitle, 'PR of g2');
    // Removed again: the next refresh falls back (carol has no personal token).
    w.sim.app!.uninstall('globex');
    assert.equal((await deliver('installation', { action: 'deleted', installation: { id: 12, account: { login: 'globex' } } }, 'install-2')).outcome, 'processed');
    const other = w.container();
    await makeDue(w);
    await other.tick();
    assert.equal((await w.row('g2')).lastErrorKind, 'no_token');
    other.close();
    // A forged event changes nothing.
    const body = JSON.stringify({ action: 'created', installation: { id: 13, account: { login: 'globex' } } });
    const forged = await receiver.receive({ headers: { 'x-github-event': 'installation', 'x-hub-signature-256': githubSignature('wrong', Buffer.from(body)) }, body });
    assert.equal(forged.outcome, 'refused');
  } finally {
    system.close();
    await w.close();
  }
});

test('installation events making rows due: repositories added and an unsuspend wake only the account\'s waiting rows; a removal wakes none', async () => {
  // carol also waits on initech, where the App is never installed.
  const w = await appWorld({ moreRows: [['initech', 'i1', 'carol']] });
  const system = w.container();
  const { deliver } = appWebhook(w);
  try {
    await system.tick();
    const before = await w.row('i1');
    assert.equal(before.awaitingToken, 'carol');
    assert.equal((await w.row('g2')).awaitingToken, 'carol');
    w.sim.app!.install('globex', 12);
    const added = await deliver(
      'installation_repositories',
      { action: 'added', installation: { id: 12, account: { login: 'globex' } }, repositories_added: [{ full_name: 'globex/api' }] },
      'repos-1',
    );
    assert.equal(added.outcome, 'processed');
    await system.tick();
    assert.equal((await w.row('g2')).pullRequestTitle, 'PR of g2', 'refreshed through the App by the next tick');
    const i1 = await w.row('i1');
    assert.deepEqual([i1.awaitingToken, i1.staleAt, i1.checkedAt], [before.awaitingToken, before.staleAt, before.checkedAt], 'another account\'s waiting row is left alone');
    // Suspended: nothing to wake (rows using the App pick the fallback at their next refresh).
    w.sim.app!.uninstall('globex');
    await deliver('installation', { action: 'suspend', installation: { id: 12, account: { login: 'globex' } } }, 'suspend-1');
    await makeDue(w);
    await system.tick();
    assert.equal((await w.row('g2')).awaitingToken, 'carol', 'fell back to no_token');
    assert.equal((await w.row('g1')).lastErrorKind, undefined, 'alice falls back to her own token');
    // Unsuspended at once (the mint that found it gone left no lease behind): waiting again, and due at once.
    w.sim.app!.install('globex', 12);
    await deliver('installation', { action: 'unsuspend', installation: { id: 12, account: { login: 'globex' } } }, 'unsuspend-1');
    assert.equal((await w.row('g2')).awaitingToken, undefined);
    await system.tick();
    const g2 = await w.row('g2');
    assert.deepEqual([g2.lastErrorKind, g2.checkOutcome], [undefined, 'refreshed'], g2.lastErrorMessage);
    assert.equal((await w.row('i1')).checkedAt, before.checkedAt);
  } finally {
    system.close();
    await w.close();
  }
});

test('the redelivery pass asks GitHub again for each event this deployment failed to take, once per pass, and is cheap when nothing failed', async () => {
  const w = await appWorld();
  const system = w.container();
  const app = w.sim.app!;
  try {
    const t0 = w.clock.now();
    // An outage of the function: two events failed (a 502 and a timeout), one of them retried by hand and failed again.
    app.recordDelivery('ok-1', 200, t0 - 50 * 60_000);
    app.recordDelivery('down-1', 502, t0 - 40 * 60_000);
    app.recordDelivery('down-2', 0, t0 - 39 * 60_000);
    app.recordDelivery('down-2', 502, t0 - 38 * 60_000);
    app.recordDelivery('ok-2', 202, t0 - 30 * 60_000);
    // Older than a first pass looks back.
    app.recordDelivery('ancient', 502, t0 - 5 * 60 * 60_000);
    // Many attempts in one window: the pages are followed.
    for (let i = 0; i < 130; i++) app.recordDelivery(`fine-${i}`, 200, t0 - 20 * 60_000 + i);
    app.onRedeliver = () => 200;
    const [first] = await system.redeliverFailed();
    assert.deepEqual(first, { host: w.host, listed: 135, redelivered: 2, refused: 0 });
    assert.deepEqual(app.stats.redelivered, ['down-1', 'down-2']);
    // Five minutes later: the redeliveries went through, nothing new failed: nothing to ask.
    w.clock.advance(5 * 60_000);
    const [second] = await system.redeliverFailed();
    assert.equal(second!.redelivered, 0);
    assert.deepEqual(app.stats.redelivered, ['down-1', 'down-2']);
    // A failure after the last pass is found by the next.
    app.recordDelivery('down-3', 500, w.clock.now() - 1_000);
    w.clock.advance(5 * 60_000);
    const [third] = await system.redeliverFailed();
    assert.equal(third!.redelivered, 1);
    assert.deepEqual(app.stats.redelivered, ['down-1', 'down-2', 'down-3']);
  } finally {
    system.close();
    await w.close();
  }
});

test('which failed deliveries are asked for again', () => {
  const d = (id: number, guid: string, statusCode: number, deliveredAt = id) => ({ id, guid, statusCode, deliveredAt, redelivery: false });
  const table: [string, ReturnType<typeof d>[], number[]][] = [
    ['nothing failed', [d(1, 'a', 200), d(2, 'b', 202)], []],
    ['one failure: its attempt', [d(1, 'a', 500)], [1]],
    ['failed, then redelivered fine', [d(1, 'a', 500), d(2, 'a', 200)], []],
    ['failed twice: the newest attempt, once', [d(1, 'a', 0), d(2, 'a', 502)], [2]],
    ['given up after MAX_ATTEMPTS', [d(1, 'a', 500), d(2, 'a', 500), d(3, 'a', 500), d(4, 'a', 500)], []],
    ['oldest event first', [d(5, 'late', 500), d(3, 'early', 500)], [3, 5]],
  ];
  for (const [name, attempts, ids] of table) {
    assert.deepEqual(deliveriesToRetry(attempts).map((x) => x.id), ids, name);
  }
});

test('gitsync pr and gitsync branch use the App where no token variable is set', async () => {
  const w = await appWorld();
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    env: { GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: w.sim.url, apiUrl: w.sim.apiUrl, app: { appId: APP_ID, privateKeyPath: keyPath } }]) },
    stdout: (t: string) => void out.push(t),
    stderr: (t: string) => void err.push(t),
  };
  try {
    assert.equal(await runCli(['pr', `${w.sim.url}/acme/api/pull/1`], io), 0, err.join(''));
    assert.equal(JSON.parse(out.join('')).pullRequestTitle, 'PR of a1');
    out.length = 0;
    assert.equal(await runCli(['branch', `${w.sim.url}/acme/api.git`, 'feature-a2'], io), 0, err.join(''));
    assert.equal(JSON.parse(out.join('')).pullRequestTitle, 'PR of a2');
    // globex has no installation: the operator is told to set a token.
    assert.equal(await runCli(['pr', `${w.sim.url}/globex/api/pull/1`], io), 1);
    assert.match(err.join(''), /not installed on globex: set GITHUB_TOKEN/);
    assert.ok(!err.join('').includes('ghs_') && !out.join('').includes('ghs_'), 'no minted token is printed');
  } finally {
    await w.close();
  }
});
