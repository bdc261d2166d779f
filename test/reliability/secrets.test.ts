import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { captureAllOutput } from '../support/capture-output.ts';
import type { HttpFault } from './support/fault-proxy.ts';
import { Harness } from './support/harness.ts';

/**
 * A full run of the real refresh handler (Powertools logs, EMF metrics) with real-looking
 * tokens, failures of every kind and credentials inside origins: no secret may appear in
 * anything it writes. The tokens are fake: they only look like GitHub and GitLab ones.
 */
const TOKENS: Record<string, string> = {
  alice: 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0001',
  bob: 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0002',
  carol: 'github_pat_11FAKE0000000000000000_fakefakefakefakefakefakefakefakefakefakefake00003',
  dave: 'glpat-FAKEfakeFAKEfake0004',
};
const ORIGIN_SECRETS = ['ghp_FAKEoriginFAKEoriginFAKEoriginFAKE05', 'originpassword-FAKE-06'];
/** Dave's token is refused by the host (an auth failure must not echo it). */
const REFUSED = new Set(['dave']);

let h: Harness;
let handler: typeof import('../../src/handler/refresh.ts').handler;
const context = { functionName: 'RefreshFunction', awsRequestId: 'req-secrets', getRemainingTimeInMillis: () => 20_000 } as Context;

before(async () => {
  h = await Harness.create();
  const faults: [string, HttpFault | null][] = [
    ['healthy', null],
    ['five', 'status500'],
    ['reset', 'reset'],
    ['limited', 'secondaryLimit'],
    ['html', 'notJson'],
    ['loop', 'redirectLoop'],
  ];
  const rows: DiffStatusRow[] = [];
  for (const owner of Object.keys(TOKENS)) {
    await h.linkToken(owner, TOKENS[owner]!, { hostAccepts: !REFUSED.has(owner) });
    for (const [name, fault] of faults) {
      const repo = h.repo(owner, name);
      if (fault) h.proxy.faults.set(`${owner}/${name}`, fault);
      rows.push(h.newRow({ chatId: `${owner}-${name}`, ownerId: owner, repo }));
    }
  }
  // Another service stored an origin with a credential in it: gitsync uses it without the credential.
  const sim = new URL(h.sim.url);
  rows.push(h.newRow({ chatId: 'creds-origin', ownerId: 'alice', repo: h.repo('alice', 'healthy'), branch: 'alice/alice-healthy', pr: false, extra: { gitRemoteOrigin: `http://alice:${ORIGIN_SECRETS[0]}@${sim.host}/alice/healthy.git` } }));
  await h.putRows(rows);
  Object.assign(process.env, {
    TABLE_NAME: h.tables.tableName,
    TOKENS_TABLE_NAME: h.tables.tokensTableName,
    HTTP_CACHE_TABLE_NAME: h.tables.httpCacheTableName,
    STALE_INDEX_NAME: h.tables.indexName,
    SHARD_COUNT: String(h.shardCount),
    DYNAMODB_ENDPOINT: h.tables.endpoint,
    GIT_PROVIDERS: JSON.stringify([{ type: 'github', webUrl: h.sim.url, apiUrl: h.proxy.apiUrl }]),
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'gitsync',
    POWERTOOLS_METRICS_NAMESPACE: 'gitsync-test',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  ({ handler } = await import('../../src/handler/refresh.ts'));
});
after(() => h.close());

test('a full run with real-looking tokens: no token, Authorization header or origin credential in logs, metrics or rows', async () => {
  const { text } = await captureAllOutput(async () => {
    // A push with a credential in the origin, then ticks through every failure.
    await h.markStale(['alice-healthy'], 'alice/alice-healthy', `http://x-access-token:${ORIGIN_SECRETS[1]}@${new URL(h.sim.url).host}/alice/healthy.git`);
    const first = await handler({}, context);
    assert.ok(first.refreshed > 0 && first.errors > 0 && first.rateLimited > 0, JSON.stringify(first));
    return handler({}, context);
  });
  // The capture saw the run: Powertools log lines and EMF metrics.
  assert.match(text, /"message":"tick finished"/);
  assert.match(text, /"_aws":\{/);

  const rows = ((await h.tables.doc.send(new ScanCommand({ TableName: h.tables.tableName, ConsistentRead: true }))).Items ?? []) as DiffStatusRow[];
  const pushed = rows.find((r) => r.chatId === 'alice-healthy')!;
  assert.doesNotMatch(pushed.gitRemoteOrigin!, /@/, 'mark-stale stored the origin without its credential');
  assert.equal(rows.find((r) => r.chatId === 'dave-healthy')!.lastErrorKind, 'auth_error');
  // The one origin another service stored with a credential is theirs; nothing else may copy it.
  const stored = JSON.stringify(rows.map((r) => (r.chatId === 'creds-origin' ? { ...r, gitRemoteOrigin: '(theirs)' } : r)));

  for (const [where, haystack] of [['output', text], ['rows', stored]] as const) {
    for (const secret of [...Object.values(TOKENS), ...ORIGIN_SECRETS]) {
      assert.ok(!haystack.includes(secret), `${where} contains a secret (${secret.slice(0, 8)}...)`);
      assert.ok(!haystack.includes(secret.slice(-12)), `${where} contains part of a secret (${secret.slice(0, 8)}...)`);
    }
    assert.doesNotMatch(haystack, /authorization|bearer /i, `${where} mentions an Authorization header`);
    assert.doesNotMatch(haystack, /\b(ghp|gho|ghs|ghu|github_pat|glpat)[-_][A-Za-z0-9_]{6,}/, `${where} contains something token-shaped`);
  }
  // And nothing carrying a credential reached the git host except the owners' own tokens.
  for (const auth of h.proxy.authorizations) assert.ok(Object.values(TOKENS).some((t) => auth === `Bearer ${t}`), 'only linked tokens travel');
});
