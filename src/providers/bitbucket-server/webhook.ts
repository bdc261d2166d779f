import { eventKeyWebhook } from '../event-key-webhook.ts';
import type { ParsedDelivery } from '../provider-webhook.ts';
import { branchesOfRefs, invalidDelivery, jsonObject, nonEmptyText, type JsonObject } from '../webhook-payload.ts';

/** `X-Event-Key` values gitsync acts on, by the name used in metrics. */
const EVENTS: Readonly<Record<string, string>> = {
  'pr:opened': 'pull_request',
  'pr:modified': 'pull_request',
  'pr:from_ref_updated': 'pull_request',
  'pr:reviewer:approved': 'pull_request_review',
  'pr:reviewer:unapproved': 'pull_request_review',
  'pr:reviewer:needs_work': 'pull_request_review',
  'pr:merged': 'pull_request',
  'pr:declined': 'pull_request',
  'pr:deleted': 'pull_request',
  'repo:refs_changed': 'push',
  'diagnostics:ping': 'ping',
};

/**
 * Bitbucket Data Center signs the raw body with the hook's secret (`X-Hub-Signature:
 * sha256=...`), names the event in `X-Event-Key` and the delivery in `X-Request-Id`; the
 * hook's *Test connection* sends `diagnostics:ping`.
 */
export const bitbucketServerWebhook = eventKeyWebhook({
  deliveryIdHeader: 'x-request-id',
  notSentHeader: 'x-request-uuid',
  events: EVENTS,
  parse: (eventKey, payload) => parseBitbucketServerDelivery(eventKey, payload),
});

/**
 * The clone URL of a Data Center `repository` (`links.clone[]`, the `http` one): the form of a
 * row's https origin, `{webUrl}/scm/KEY/slug.git`, so the delivery finds the rows by it.
 */
function cloneUrl(repository: JsonObject | null): string | null {
  const clones = jsonObject(repository?.links)?.clone;
  if (!Array.isArray(clones)) return null;
  for (const clone of clones) {
    const link = jsonObject(clone);
    const href = nonEmptyText(link?.href);
    if (href && (link?.name === 'http' || link?.name === 'https' || /^https?:/.test(href))) return href;
  }
  return null;
}

/** A Bitbucket Data Center delivery's `X-Event-Key` and parsed body. */
export function parseBitbucketServerDelivery(event: string, body: unknown): ParsedDelivery {
  if (event === 'diagnostics:ping') return { kind: 'ping' };
  const payload = jsonObject(body);
  if (!payload) return invalidDelivery('the body must be a JSON object');
  if (event.startsWith('pr:') && EVENTS[event]) {
    const from = jsonObject(jsonObject(payload.pullRequest)?.fromRef);
    const branch = nonEmptyText(from?.displayId);
    if (!branch) return invalidDelivery('pullRequest.fromRef.displayId must be a non-empty string');
    const repoUrl = cloneUrl(jsonObject(from?.repository));
    if (!repoUrl) return invalidDelivery('pullRequest.fromRef.repository.links.clone must name an http clone URL');
    return { kind: 'branch', repoUrl, branch };
  }
  if (event === 'repo:refs_changed') {
    const repoUrl = cloneUrl(jsonObject(payload.repository));
    if (!repoUrl) return invalidDelivery('repository.links.clone must name an http clone URL');
    if (!Array.isArray(payload.changes)) return invalidDelivery('changes must be an array');
    // Every branch the push names.
    const refs = payload.changes.map((change) => {
      const ref = jsonObject(jsonObject(change)?.ref);
      return ref?.type === 'BRANCH' ? ref.id : null;
    });
    return branchesOfRefs(refs, repoUrl);
  }
  return { kind: 'ignored', reason: `event ${event} is not used` };
}
