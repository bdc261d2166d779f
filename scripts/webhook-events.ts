/**
 * `node scripts/webhook-events.ts`: writes the sample webhook events under events/, each a
 * function-URL event signed (GitHub) or tokened (GitLab) with the local secrets of
 * events/env.json, so `npm run invoke -- WebhookFunction events/webhook-*.json` verifies them.
 * The GitHub payloads are real examples from `@octokit/webhooks-examples`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { githubDeliveryEvent, gitlabDeliveryEvent } from '../src/dev/webhook-request.ts';
import { parseWebhookSecrets, secretsFor } from '../src/webhooks/secrets.ts';

const env = JSON.parse(readFileSync('events/env.json', 'utf8')) as { Parameters: Record<string, string> };
const secrets = parseWebhookSecrets(env.Parameters.WEBHOOK_SECRETS ?? '{}');
const github = secretsFor(secrets, 'github.com')[0];
const gitlab = secretsFor(secrets, 'gitlab.com')[0];
if (!github || !gitlab) throw new Error('events/env.json: WEBHOOK_SECRETS needs github.com and gitlab.com');

const require = createRequire(import.meta.url);
const examples = JSON.parse(readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8')) as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const example = (name: string, pick: (e: Record<string, unknown>) => boolean) => {
  const found = examples.find((g) => g.name === name)?.examples.find(pick);
  if (!found) throw new Error(`no ${name} example`);
  return found;
};

const files: Record<string, unknown> = {
  'webhook-github-pull-request.json': githubDeliveryEvent({
    event: 'pull_request',
    payload: example('pull_request', (e) => e.action === 'opened'),
    secret: github,
    deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  }),
  'webhook-github-push.json': githubDeliveryEvent({
    event: 'push',
    payload: example('push', (e) => String(e.ref).startsWith('refs/heads/')),
    secret: github,
    deliveryId: '9f1d3c1e-cc78-11e3-81ab-4c9367dc0958',
  }),
  'webhook-gitlab-merge-request.json': gitlabDeliveryEvent({
    event: 'Merge Request Hook',
    token: gitlab,
    idempotencyKey: 'f2f7e0a5-5b2a-4c8e-9d5e-3c1d7e0a9b11',
    payload: {
      object_kind: 'merge_request',
      event_type: 'merge_request',
      project: { id: 1, path_with_namespace: 'gitlabhq/gitlab-test', web_url: 'https://gitlab.com/gitlabhq/gitlab-test', git_http_url: 'https://gitlab.com/gitlabhq/gitlab-test.git', git_ssh_url: 'git@gitlab.com:gitlabhq/gitlab-test.git' },
      object_attributes: {
        iid: 1,
        action: 'open',
        state: 'opened',
        source_branch: 'ms-viewport',
        target_branch: 'master',
        updated_at: '2013-12-03T17:23:34Z',
        source: { path_with_namespace: 'gitlabhq/gitlab-test', web_url: 'https://gitlab.com/gitlabhq/gitlab-test', git_http_url: 'https://gitlab.com/gitlabhq/gitlab-test.git' },
        last_commit: { id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' },
      },
    },
  }),
};
for (const [name, event] of Object.entries(files)) {
  writeFileSync(`events/${name}`, `${JSON.stringify(event, null, 2)}\n`);
  console.log(`events/${name}`);
}
