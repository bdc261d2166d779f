import { eventKeyWebhook } from '../event-key-webhook.ts';
import type { ParsedDelivery } from '../provider-webhook.ts';
import { branchesOfRefs, branchOfRef, invalidDelivery, jsonObject, nonEmptyText, type JsonObject } from '../webhook-payload.ts';

/** `X-Event-Key` values gitsync acts on, by the name used in metrics. */
const EVENTS: Readonly<Record<string, string>> = {
  'pullrequest:created': 'pull_request',
  'pullrequest:updated': 'pull_request',
  'pullrequest:approved': 'pull_request_review',
  'pullrequest:unapproved': 'pull_request_review',
  'pullrequest:changes_request_created': 'pull_request_review',
  'pullrequest:changes_request_removed': 'pull_request_review',
  'pullrequest:fulfilled': 'pull_request',
  'pullrequest:rejected': 'pull_request',
  'repo:push': 'push',
  'repo:commit_status_created': 'status',
  'repo:commit_status_updated': 'status',
};

/**
 * Bitbucket Cloud signs the raw body with the hook's secret (`X-Hub-Signature: sha256=...`),
 * names the event in `X-Event-Key` and the delivery in `X-Request-UUID` (Data Center sends
 * `X-Request-Id` instead, which is how the two are told apart).
 */
export const bitbucketCloudWebhook = eventKeyWebhook({
  deliveryIdHeader: 'x-request-uuid',
  events: EVENTS,
  parse: (eventKey, payload) => parseBitbucketCloudDelivery(eventKey, payload),
});

/** The web URL of a Cloud `repository` object (`links.html.href`). */
function repositoryUrl(repository: JsonObject | null): string | null {
  return nonEmptyText(jsonObject(jsonObject(repository?.links)?.html)?.href);
}

/** A Bitbucket Cloud delivery's `X-Event-Key` and parsed body. */
export function parseBitbucketCloudDelivery(event: string, body: unknown): ParsedDelivery {
  const payload = jsonObject(body);
  if (!payload) return invalidDelivery('the body must be a JSON object');
  if (event.startsWith('pullrequest:') && EVENTS[event]) {
    const source = jsonObject(jsonObject(payload.pullrequest)?.source);
    const branch = nonEmptyText(jsonObject(source?.branch)?.name);
    if (!branch) return invalidDelivery('pullrequest.source.branch.name must be a non-empty string');
    const repoUrl = repositoryUrl(jsonObject(source?.repository)) ?? repositoryUrl(jsonObject(payload.repository));
    if (!repoUrl) return invalidDelivery('pullrequest.source.repository.links.html.href must be a non-empty string');
    return { kind: 'branch', repoUrl, branch };
  }
  if (event === 'repo:push') {
    const repoUrl = repositoryUrl(jsonObject(payload.repository));
    if (!repoUrl) return invalidDelivery('repository.links.html.href must be a non-empty string');
    const changes = jsonObject(payload.push)?.changes;
    if (!Array.isArray(changes)) return invalidDelivery('push.changes must be an array');
    // Every branch the push names (a deleted one by its old side).
    const refs = changes.map((change) => {
      const side = jsonObject(jsonObject(change)?.new) ?? jsonObject(jsonObject(change)?.old);
      return side?.type === 'branch' && nonEmptyText(side.name) ? `refs/heads/${side.name as string}` : null;
    });
    return branchesOfRefs(refs, repoUrl);
  }
  if (EVENTS[event] === 'status') return commitStatusChange(payload);
  return { kind: 'ignored', reason: `event ${event} is not used` };
}

/**
 * A commit status created or updated: once a build has finished (any state but `INPROGRESS`),
 * the branch it was posted for (`refname`) is refreshed at once, so its rows show the new
 * checks. A build starting is not acted on: the push that started it made the rows due
 * already. A status posted without a branch names only a commit: its rows see it by polling
 * (a row with pending checks is looked at on the fast end of its cadence).
 */
function commitStatusChange(payload: JsonObject): ParsedDelivery {
  const status = jsonObject(payload.commit_status);
  if (!status) return invalidDelivery('commit_status must be an object');
  if (status.state === 'INPROGRESS') return { kind: 'ignored', reason: 'a build started; its end is what changes the checks' };
  const repoUrl = repositoryUrl(jsonObject(payload.repository)) ?? repositoryUrl(jsonObject(status.repository));
  if (!repoUrl) return invalidDelivery('repository.links.html.href must be a non-empty string');
  const refname = nonEmptyText(status.refname);
  if (!refname) return { kind: 'ignored', reason: 'the commit status names no branch (refname)' };
  // Usually a branch name (Pipelines); a full ref is read as one.
  return refname.startsWith('refs/') ? branchOfRef(refname, repoUrl) : { kind: 'branch', repoUrl, branch: refname };
}
