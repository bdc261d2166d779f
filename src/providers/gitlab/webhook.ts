import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParsedDelivery, ProviderWebhook } from '../provider-webhook.ts';
import { branchOfRef, invalidDelivery, jsonObject, nonEmptyText } from '../webhook-payload.ts';

/** Events gitsync acts on: `X-Gitlab-Event` -> the name used in metrics. */
const EVENTS: Readonly<Record<string, string>> = {
  'Merge Request Hook': 'merge_request',
  'Push Hook': 'push',
  'Pipeline Hook': 'pipeline',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * GitLab sends the hook's secret itself in `X-Gitlab-Token`, the event in `X-Gitlab-Event`,
 * and a delivery id in `Idempotency-Key` (newer) or `X-Gitlab-Event-UUID`.
 */
export const gitlabWebhook: ProviderWebhook = {
  recognises: (headers) => headers['x-gitlab-event'] !== undefined,
  verifier(headers) {
    const token = headers['x-gitlab-token'];
    if (!token) return null;
    // Both sides hashed first: equal-length buffers for a constant-time comparison that
    // reveals nothing about the secret's length.
    const given = sha256(token);
    return (secret) => timingSafeEqual(sha256(secret), given);
  },
  identify(headers) {
    const deliveryId = headers['idempotency-key'] ?? headers['x-gitlab-event-uuid'];
    return { event: EVENTS[headers['x-gitlab-event'] ?? ''] ?? 'other', ...(deliveryId ? { deliveryId } : {}) };
  },
  parse: (headers, payload) => parseGitLabDelivery(headers['x-gitlab-event'] ?? '', payload),
};

/** A GitLab delivery's `X-Gitlab-Event` and parsed body. */
export function parseGitLabDelivery(event: string, body: unknown): ParsedDelivery {
  const payload = jsonObject(body);
  if (!payload) return invalidDelivery('the body must be a JSON object');
  switch (event) {
    case 'Merge Request Hook': {
      const attributes = jsonObject(payload.object_attributes);
      if (!attributes) return invalidDelivery('object_attributes must be an object');
      const branch = nonEmptyText(attributes.source_branch);
      if (!branch) return invalidDelivery('object_attributes.source_branch must be a non-empty string');
      const source = jsonObject(attributes.source);
      const repoUrl = nonEmptyText(source?.web_url) ?? nonEmptyText(source?.git_http_url);
      if (!repoUrl) return invalidDelivery('object_attributes.source.web_url must be a non-empty string');
      return { kind: 'branch', repoUrl, branch };
    }
    case 'Push Hook': {
      const project = jsonObject(payload.project);
      const repoUrl = nonEmptyText(project?.web_url) ?? nonEmptyText(project?.git_http_url);
      if (!repoUrl) return invalidDelivery('project.web_url must be a non-empty string');
      return branchOfRef(payload.ref, repoUrl);
    }
    case 'Pipeline Hook': {
      // A pipeline's status changed: the MR whose head pipeline it may be becomes due. A merge
      // request pipeline runs on `refs/merge-requests/<iid>/head`: its MR names the branch.
      const attributes = jsonObject(payload.object_attributes);
      if (!attributes) return invalidDelivery('object_attributes must be an object');
      const project = jsonObject(payload.project);
      const repoUrl = nonEmptyText(project?.web_url) ?? nonEmptyText(project?.git_http_url);
      if (!repoUrl) return invalidDelivery('project.web_url must be a non-empty string');
      if (attributes.tag === true) return { kind: 'ignored', reason: 'a tag pipeline' };
      const branch = nonEmptyText(jsonObject(payload.merge_request)?.source_branch) ?? nonEmptyText(attributes.ref);
      if (!branch) return invalidDelivery('object_attributes.ref must be a non-empty string');
      return { kind: 'branch', repoUrl, branch };
    }
    default:
      return { kind: 'ignored', reason: `event ${event} is not used` };
  }
}
