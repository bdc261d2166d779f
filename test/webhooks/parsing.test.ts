import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { parseProviderConfigs } from '../../src/providers/config.ts';
import { repoBranchKey } from '../../src/store/repo-branch-key.ts';
import { githubSignature, githubWebhook, parseGitHubDelivery } from '../../src/providers/github/webhook.ts';
import { gitlabWebhook, parseGitLabDelivery } from '../../src/providers/gitlab/webhook.ts';
import { authenticateDelivery } from '../../src/webhooks/authenticate.ts';
import { parseWebhookSecrets, secretsFor, WebhookSecretsError, type WebhookSecrets } from '../../src/webhooks/secrets.ts';

const providers = parseProviderConfigs(
  JSON.stringify([
    { type: 'github', webUrl: 'https://github.com' },
    { type: 'github', webUrl: 'https://ghe.example.com:8443' },
    { type: 'gitlab', webUrl: 'https://gitlab.com' },
  ]),
);

/** The type and configured hosts a GitHub delivery with this signature is authenticated for, or null. */
function verifyGitHub(body: Uint8Array, signature: string | undefined, secrets: WebhookSecrets): string | null {
  const headers = { 'x-github-event': 'push', 'x-hub-signature-256': signature };
  const sender = authenticateDelivery(headers, body, providers, secrets);
  return sender ? `${sender.type.name} ${sender.providers.map((p) => p.host).join(' ')}` : null;
}

/** The type and configured hosts a GitLab delivery with this token is authenticated for, or null. */
function verifyGitLab(token: string | undefined, secrets: WebhookSecrets): string | null {
  const sender = authenticateDelivery({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': token }, Buffer.from('{}'), providers, secrets);
  return sender ? `${sender.type.name} ${sender.providers.map((p) => p.host).join(' ')}` : null;
}

test("GitHub's documented test vector", () => {
  // docs.github.com, "Validating webhook deliveries": secret, payload and the expected signature.
  const body = Buffer.from('Hello, World!');
  const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  assert.equal(githubSignature("It's a Secret to Everybody", body), expected);
  const secrets = parseWebhookSecrets(JSON.stringify({ 'github.com': "It's a Secret to Everybody" }));
  assert.equal(verifyGitHub(body, expected, secrets), 'github github.com');
  assert.equal(verifyGitHub(body, expected.toUpperCase().replace('SHA256', 'sha256'), secrets), 'github github.com');
  assert.equal(verifyGitHub(Buffer.from('Hello, World?'), expected, secrets), null);
  assert.equal(verifyGitHub(body, expected.slice(0, -1), secrets), null, 'a short signature');
  assert.equal(verifyGitHub(body, `${expected}00`, secrets), null, 'a long signature');
  assert.equal(verifyGitHub(body, undefined, secrets), null);
});

test('each host has its own secrets (current and previous); "*" serves hosts without an entry', () => {
  const body = Buffer.from('{}');
  const secrets = parseWebhookSecrets(
    JSON.stringify({ 'GitHub.com': ['new', 'old'], 'ghe.example.com:8443': 'ghe', '*': 'shared' }),
  );
  assert.equal(verifyGitHub(body, githubSignature('new', body), secrets), 'github github.com');
  assert.equal(verifyGitHub(body, githubSignature('old', body), secrets), 'github github.com');
  assert.equal(verifyGitHub(body, githubSignature('ghe', body), secrets), 'github ghe.example.com:8443');
  assert.equal(verifyGitHub(body, githubSignature('shared', body), secrets), null, 'both GitHub hosts have their own');
  assert.equal(verifyGitLab('shared', secrets), 'gitlab gitlab.com');
  assert.equal(verifyGitLab('new', secrets), null, "a GitHub host's secret is no GitLab token");
  assert.equal(verifyGitLab(undefined, secrets), null);
  const shared = parseWebhookSecrets(JSON.stringify({ '*': 'shared' }));
  assert.equal(
    verifyGitHub(body, githubSignature('shared', body), shared),
    'github github.com ghe.example.com:8443',
    'one secret for every host: each may have sent it (the repository tells which)',
  );
  assert.deepEqual(secretsFor(parseWebhookSecrets('{}'), 'github.com'), []);
});

test("each type names a delivery's event (for metrics) and id (for deduplication) from its own headers", () => {
  assert.deepEqual(githubWebhook.identify({ 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' }, {}), { event: 'pull_request', deliveryId: 'd-1' });
  assert.deepEqual(githubWebhook.identify({ 'x-github-event': 'issues', 'idempotency-key': 'k' }, undefined), { event: 'other' });
  assert.deepEqual(gitlabWebhook.identify({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'u' }, {}), { event: 'push', deliveryId: 'u' });
  assert.deepEqual(
    gitlabWebhook.identify({ 'x-gitlab-event': 'Merge Request Hook', 'idempotency-key': 'k', 'x-gitlab-event-uuid': 'u' }, {}),
    { event: 'merge_request', deliveryId: 'k' },
  );
  assert.deepEqual(gitlabWebhook.identify({ 'x-gitlab-event': 'Note Hook', 'x-github-delivery': 'd-1' }, {}), { event: 'other' });
  assert.equal(githubWebhook.recognises({ 'x-gitlab-event': 'Push Hook' }), false);
  assert.equal(gitlabWebhook.recognises({ 'x-github-event': 'push' }), false);
});

test('malformed secrets are refused with a message that never contains a secret', () => {
  for (const raw of ['not json', '[]', '"x"', '{"github.com": ""}', '{"github.com": ["a", "b", "c"]}', '{"github.com": 42}', '{"github.com": []}']) {
    assert.throws(() => parseWebhookSecrets(raw), (err: unknown) => err instanceof WebhookSecretsError && !err.message.includes('"a"'), raw);
  }
});

test('every URL form of one repository gives one index key; other repositories and branches another', () => {
  const key = repoBranchKey('https://github.com/Acme/App', 'feature/x');
  assert.equal(key, 'github.com/acme/app feature/x');
  for (const origin of [
    'https://GitHub.com/acme/app.git',
    'https://github.com/acme/app/',
    'https://user:ghp_secret@github.com/acme/app.git',
    'git@github.com:acme/app.git',
    'git@GITHUB.COM:Acme/App',
    'ssh://git@github.com/acme/app.git',
    'ssh://git@github.com:22/acme/app',
  ]) {
    assert.equal(repoBranchKey(origin, 'feature/x'), key, origin);
  }
  assert.notEqual(repoBranchKey('https://github.com/acme/app', 'feature/X'), key, 'branches are case-sensitive');
  assert.notEqual(repoBranchKey('https://github.com/acme/app2', 'feature/x'), key);
  assert.equal(repoBranchKey('https://github.com/', 'main'), undefined);
  assert.equal(repoBranchKey('not a url', 'main'), undefined);
  assert.equal(repoBranchKey('https://github.com/a/b', ''), undefined);
  assert.equal(repoBranchKey('https://github.com/a/b', 'x'.repeat(3_000)), undefined, 'over the 2 KB key limit');
  assert.equal(repoBranchKey(42 as unknown as string, 'main'), undefined);
});

test('Bitbucket Data Center: its https clone path ([context/]scm/KEY/slug) and its ssh ones key alike', () => {
  const key = repoBranchKey('ssh://git@bb.example.com:7999/PROJ/app.git', 'main');
  assert.equal(key, 'bb.example.com/proj/app main');
  for (const origin of ['https://bb.example.com/bitbucket/scm/PROJ/app.git', 'https://bb.example.com/scm/proj/app', 'git@bb.example.com:PROJ/app.git']) {
    assert.equal(repoBranchKey(origin, 'main'), key, origin);
  }
  // Any host's path with `scm` third from last keys alike in every form (the exact check sorts candidates out).
  assert.equal(repoBranchKey('git@gitlab.example.com:group/scm/a/b.git', 'main'), repoBranchKey('https://gitlab.example.com/group/scm/a/b', 'main'));
  assert.notEqual(repoBranchKey('https://bb.example.com/scm/PROJ/other.git', 'main'), key);
});

interface ExampleGroup {
  name: string;
  examples: Record<string, any>[];
}
const require = createRequire(import.meta.url);
const examples = JSON.parse(
  readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8'),
) as ExampleGroup[];
const group = (name: string) => examples.find((g) => g.name === name)?.examples ?? [];

test('@octokit/webhooks-examples: every pull_request and pull_request_review example names its head repository and branch', () => {
  const prs = [...group('pull_request'), ...group('pull_request_review')];
  assert.ok(prs.length >= 30, `${prs.length} examples`);
  for (const payload of prs) {
    const parsed = parseGitHubDelivery(payload.review ? 'pull_request_review' : 'pull_request', payload);
    assert.deepEqual(
      parsed,
      { kind: 'branch', repoUrl: payload.pull_request.head.repo.html_url, branch: payload.pull_request.head.ref },
      `${payload.action}`,
    );
  }
});

test('@octokit/webhooks-examples: branch pushes name their branch, tag pushes are ignored, pings answered', () => {
  const pushes = group('push');
  assert.ok(pushes.length > 0);
  for (const payload of pushes) {
    const parsed = parseGitHubDelivery('push', payload);
    if (payload.ref.startsWith('refs/tags/')) assert.equal(parsed.kind, 'ignored');
    else assert.deepEqual(parsed, { kind: 'branch', repoUrl: payload.repository.html_url, branch: payload.ref.slice(11) });
  }
  for (const payload of group('ping')) assert.deepEqual(parseGitHubDelivery('ping', payload), { kind: 'ping' });
  for (const payload of group('issues')) assert.equal(parseGitHubDelivery('issues', payload).kind, 'ignored');
});

test('GitLab payloads: wrong types are invalid, other events ignored', () => {
  assert.equal(parseGitLabDelivery('Merge Request Hook', { object_attributes: { source_branch: 1 } }).kind, 'invalid');
  assert.equal(parseGitLabDelivery('Merge Request Hook', { object_attributes: { source_branch: 'x', source: {} } }).kind, 'invalid');
  assert.equal(parseGitLabDelivery('Push Hook', { ref: 'refs/heads/x', project: { web_url: 5 } }).kind, 'invalid');
  assert.equal(parseGitLabDelivery('Note Hook', { object_kind: 'note' }).kind, 'ignored');
  assert.equal(parseGitLabDelivery('Push Hook', null).kind, 'invalid');
});
