import assert from 'node:assert/strict';
import { test } from 'node:test';
import { azureDevOpsWebhook, parseAzureDevOpsDelivery, presentedSecret } from '../../src/providers/azure-devops/webhook.ts';
import { authenticateDelivery } from '../../src/webhooks/authenticate.ts';
import { parseWebhookSecrets } from '../../src/webhooks/secrets.ts';
import { parseProviderConfigs } from '../../src/providers/config.ts';

const REPO = 'https://fabrikam@dev.azure.com/fabrikam/My%20Project/_git/web';
const FORK = 'https://dev.azure.com/contoso/Forks/_git/web';
const pr = (extra: Record<string, unknown> = {}) => ({
  pullRequestId: 7,
  status: 'active',
  sourceRefName: 'refs/heads/feature/login',
  targetRefName: 'refs/heads/main',
  repository: { name: 'web', remoteUrl: REPO, project: { name: 'My Project' } },
  ...extra,
});

const cases: [string, unknown, unknown][] = [
  ['PR created', { eventType: 'git.pullrequest.created', resource: pr() }, { kind: 'branch', repoUrl: REPO, branch: 'feature/login' }],
  ['PR updated', { eventType: 'git.pullrequest.updated', resource: pr() }, { kind: 'branch', repoUrl: REPO, branch: 'feature/login' }],
  ['PR merged', { eventType: 'git.pullrequest.merged', resource: pr({ status: 'completed' }) }, { kind: 'branch', repoUrl: REPO, branch: 'feature/login' }],
  ['PR from a fork names the fork', { eventType: 'git.pullrequest.created', resource: pr({ forkSource: { name: 'refs/heads/feature/login', repository: { remoteUrl: FORK } } }) }, { kind: 'branch', repoUrl: FORK, branch: 'feature/login' }],
  ['push of a branch', { eventType: 'git.push', resource: { refUpdates: [{ name: 'refs/tags/v1' }, { name: 'refs/heads/fix', newObjectId: 'a' }], repository: { remoteUrl: REPO } } }, { kind: 'branch', repoUrl: REPO, branch: 'fix' }],
  ['push of a tag only', { eventType: 'git.push', resource: { refUpdates: [{ name: 'refs/tags/v1' }], repository: { remoteUrl: REPO } } }, { kind: 'ignored', reason: 'the push names no branch (tags only)' }],
  ['push of two branches', { eventType: 'git.push', resource: { refUpdates: [{ name: 'refs/heads/a' }, { name: 'refs/tags/v2' }, { name: 'refs/heads/b' }], repository: { remoteUrl: REPO } } }, { kind: 'branch', repoUrl: REPO, branch: 'a', otherBranches: ['b'] }],
  ['a comment', { eventType: 'ms.vss-code.git-pullrequest-comment-event', resource: { comment: {} } }, { kind: 'ignored', reason: 'event ms.vss-code.git-pullrequest-comment-event is not used' }],
  ['a build', { eventType: 'build.complete', resource: {} }, { kind: 'ignored', reason: 'event build.complete is not used' }],
  ['PR without repository', { eventType: 'git.pullrequest.updated', resource: { sourceRefName: 'refs/heads/x' } }, { kind: 'invalid', reason: 'resource.repository.remoteUrl must be a non-empty string' }],
  ['PR without source ref', { eventType: 'git.pullrequest.updated', resource: pr({ sourceRefName: 7 }) }, { kind: 'invalid', reason: 'ref must be a non-empty string' }],
  ['push without refUpdates', { eventType: 'git.push', resource: { repository: { remoteUrl: REPO } } }, { kind: 'invalid', reason: 'resource.refUpdates must be an array' }],
  ['no resource', { eventType: 'git.push' }, { kind: 'invalid', reason: 'resource must be an object' }],
  ['no eventType', { resource: {} }, { kind: 'invalid', reason: 'eventType must be a non-empty string' }],
  ['not an object', [1, 2], { kind: 'invalid', reason: 'the body must be a JSON object' }],
];

for (const [name, payload, expected] of cases) {
  test(`Azure DevOps delivery: ${name}`, () => assert.deepEqual(parseAzureDevOpsDelivery(payload), expected));
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

test('the secret is the basic password (any user) or the X-Gitsync-Secret header; nothing else is one', () => {
  assert.equal(presentedSecret({ authorization: basic('gitsync:s3cret') }), 's3cret');
  assert.equal(presentedSecret({ authorization: basic(':s3cret:with:colons') }), 's3cret:with:colons');
  assert.equal(presentedSecret({ 'x-gitsync-secret': 'h3ader' }), 'h3ader');
  assert.equal(presentedSecret({ 'x-gitsync-secret': 'h3ader', authorization: basic('u:other') }), 'h3ader');
  for (const authorization of [basic('user-only'), basic('user:'), 'Bearer abc', 'Basic !!!', '']) {
    assert.equal(presentedSecret({ authorization }), null, authorization);
  }
  const check = azureDevOpsWebhook.verifier({ authorization: basic('x:right') }, new Uint8Array())!;
  assert.equal(check('right'), true);
  assert.equal(check('righ'), false);
  assert.equal(check('right '), false);
  assert.equal(azureDevOpsWebhook.verifier({}, new Uint8Array()), null);
});

test('event name and delivery id come from the body', () => {
  assert.deepEqual(azureDevOpsWebhook.identify({}, { eventType: 'git.pullrequest.merged', id: 'e1' }), { event: 'git.pullrequest.merged', deliveryId: 'e1' });
  assert.deepEqual(azureDevOpsWebhook.identify({}, { eventType: 'git.push', id: 'x'.repeat(500) }), { event: 'git.push' });
  assert.deepEqual(azureDevOpsWebhook.identify({}, { eventType: 'ms.vss-code.git-pullrequest-comment-event', id: 'e2' }), { event: 'other', deliveryId: 'e2' });
  assert.deepEqual(azureDevOpsWebhook.identify({}, undefined), { event: 'other' });
});

test('authentication: the Azure host whose current or previous secret it is; GitHub deliveries stay GitHub\'s', () => {
  const providers = parseProviderConfigs(JSON.stringify([
    { type: 'github', webUrl: 'https://github.com' },
    { type: 'azure-devops', webUrl: 'https://dev.azure.com' },
    { type: 'azure-devops', webUrl: 'https://tfs.example.com' },
  ]));
  const secrets = parseWebhookSecrets(JSON.stringify({ 'dev.azure.com': ['new', 'old'], 'tfs.example.com': 'server', 'github.com': 'gh' }));
  const body = new Uint8Array();
  const host = (headers: Record<string, string>) => authenticateDelivery(headers, body, providers, secrets)?.providers.map((p) => p.host).join(',') ?? null;
  assert.equal(host({ authorization: basic('gitsync:new') }), 'dev.azure.com');
  assert.equal(host({ authorization: basic('gitsync:old') }), 'dev.azure.com');
  assert.equal(host({ 'x-gitsync-secret': 'server' }), 'tfs.example.com');
  assert.equal(host({ authorization: basic('gitsync:gh') }), null);
  assert.equal(host({ authorization: basic('gitsync:wrong') }), null);
  assert.equal(authenticateDelivery({ 'x-github-event': 'push', authorization: basic('gitsync:new') }, body, providers, secrets), null, 'a GitHub delivery is checked as GitHub\'s');
});
