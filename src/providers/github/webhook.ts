import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ParsedDelivery, ProviderWebhook } from '../provider-webhook.ts';
import { branchOfRef, invalidDelivery, jsonObject, nonEmptyText } from '../webhook-payload.ts';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** Events gitsync acts on, by the name used in metrics (the `X-GitHub-Event` value). */
const EVENTS: readonly string[] = ['pull_request', 'pull_request_review', 'push', 'ping'];

/** The hex HMAC-SHA256 GitHub puts in `X-Hub-Signature-256` (after `sha256=`). */
export function githubSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** GitHub signs the raw body with each hook's secret: `X-Hub-Signature-256`, `X-GitHub-Event`, `X-GitHub-Delivery`. */
export const githubWebhook: ProviderWebhook = {
  recognises: (headers) => headers['x-github-event'] !== undefined,
  verifier(headers, body) {
    const hex = SIGNATURE.exec(headers['x-hub-signature-256']?.trim().toLowerCase() ?? '')?.[1];
    if (!hex) return null;
    const given = Buffer.from(hex, 'hex');
    return (secret) => timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given);
  },
  identify(headers) {
    const event = headers['x-github-event'] ?? '';
    const deliveryId = headers['x-github-delivery'];
    return { event: EVENTS.includes(event) ? event : 'other', ...(deliveryId ? { deliveryId } : {}) };
  },
  parse: (headers, payload) => parseGitHubDelivery(headers['x-github-event'] ?? '', payload),
};

/** A GitHub delivery's `X-GitHub-Event` and parsed body. */
export function parseGitHubDelivery(event: string, body: unknown): ParsedDelivery {
  const payload = jsonObject(body);
  if (!payload) return invalidDelivery('the body must be a JSON object');
  switch (event) {
    case 'ping':
      return { kind: 'ping' };
    case 'pull_request':
    case 'pull_request_review': {
      const head = jsonObject(jsonObject(payload.pull_request)?.head);
      if (!head) return invalidDelivery('pull_request.head must be an object');
      const branch = nonEmptyText(head.ref);
      if (!branch) return invalidDelivery('pull_request.head.ref must be a non-empty string');
      // A PR whose fork was deleted has no head repository left to match.
      if (head.repo === null) return { kind: 'ignored', reason: 'the head repository no longer exists' };
      const repoUrl = nonEmptyText(jsonObject(head.repo)?.html_url);
      if (!repoUrl) return invalidDelivery('pull_request.head.repo.html_url must be a non-empty string');
      return { kind: 'branch', repoUrl, branch };
    }
    case 'push': {
      const repoUrl = nonEmptyText(jsonObject(payload.repository)?.html_url);
      if (!repoUrl) return invalidDelivery('repository.html_url must be a non-empty string');
      return branchOfRef(payload.ref, repoUrl);
    }
    default:
      return { kind: 'ignored', reason: `event ${event} is not used` };
  }
}
