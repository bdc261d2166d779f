import { sha256Signature, sha256SignatureVerifier } from '../hmac-signature.ts';
import type { ParsedDelivery, ProviderWebhook } from '../provider-webhook.ts';
import { branchOfRef, invalidDelivery, jsonObject, nonEmptyText, type JsonObject } from '../webhook-payload.ts';

/** Events gitsync acts on, by the name used in metrics (the `X-GitHub-Event` value). */
const EVENTS: readonly string[] = [
  'pull_request',
  'pull_request_review',
  'push',
  'ping',
  'installation',
  'installation_repositories',
  'check_run',
  'check_suite',
  'status',
];

/** `installation` actions after which the App can no longer read the account. */
const REMOVED: ReadonlySet<string> = new Set(['deleted', 'suspend']);

/** The hex HMAC-SHA256 GitHub puts in `X-Hub-Signature-256` (after `sha256=`). */
export const githubSignature = sha256Signature;

/** GitHub signs the raw body with each hook's secret: `X-Hub-Signature-256`, `X-GitHub-Event`, `X-GitHub-Delivery`. */
export const githubWebhook: ProviderWebhook = {
  recognises: (headers) => headers['x-github-event'] !== undefined,
  verifier: (headers, body) => sha256SignatureVerifier(headers['x-hub-signature-256'], body),
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
    case 'installation':
    case 'installation_repositories': {
      const installation = jsonObject(payload.installation);
      const id = installation?.id;
      const login = nonEmptyText(jsonObject(installation?.account)?.login);
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0 || !login) {
        return invalidDelivery('installation.id must be a positive integer and installation.account.login a non-empty string');
      }
      const removed = event === 'installation' && REMOVED.has(String(payload.action));
      return { kind: 'installation', accounts: [login.toLowerCase()], installationId: removed ? null : id };
    }
    case 'check_run':
    case 'check_suite':
    case 'status':
      return checksDelivery(event, payload);
    default:
      return { kind: 'ignored', reason: `event ${event} is not used` };
  }
}

/**
 * A head commit's checks changed: the branch whose head it is becomes due. A check run or
 * suite counts when it `completed` (CI finishing; a run starting is seen by the refresh the
 * push caused, and a suite of 20 runs would otherwise refresh the row 40 times); a commit
 * status at every state. The branch is the suite's `head_branch`, or for a status the first
 * listed branch whose head is that commit (GitHub lists up to 10 branches containing it). A
 * suite of a fork's push names no branch of this repository: ignored, polling finds it.
 */
function checksDelivery(event: string, payload: JsonObject): ParsedDelivery {
  const repoUrl = nonEmptyText(jsonObject(payload.repository)?.html_url);
  if (!repoUrl) return invalidDelivery('repository.html_url must be a non-empty string');
  if (event === 'status') {
    const sha = nonEmptyText(payload.sha);
    if (!sha || !Array.isArray(payload.branches)) return invalidDelivery('sha must be a non-empty string and branches an array');
    const head = payload.branches.map(jsonObject).find((b) => nonEmptyText(jsonObject(b?.commit)?.sha) === sha);
    const branch = nonEmptyText(head?.name);
    return branch ? { kind: 'branch', repoUrl, branch } : { kind: 'ignored', reason: 'the commit is the head of no branch' };
  }
  const object = jsonObject(payload[event]);
  if (!object) return invalidDelivery(`${event} must be an object`);
  if (payload.action !== 'completed') return { kind: 'ignored', reason: `${event} ${String(payload.action)}: only a completed one changes the checks` };
  const suite = event === 'check_run' ? jsonObject(object.check_suite) : object;
  const branch = nonEmptyText(suite?.head_branch);
  return branch ? { kind: 'branch', repoUrl, branch } : { kind: 'ignored', reason: `the ${event} names no branch (a fork's push)` };
}
