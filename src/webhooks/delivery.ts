/**
 * What a verified delivery says, read from its JSON: which repository and branch changed.
 * A delivery names the head repository and branch (for a PR from a fork, the fork's).
 */
export type ParsedDelivery =
  | { kind: 'branch'; repoUrl: string; branch: string }
  | { kind: 'ping' }
  /** A valid delivery gitsync has nothing to do for (another event, a tag, a deleted fork). */
  | { kind: 'ignored'; reason: string }
  /** Signed, but not the JSON its event promises. */
  | { kind: 'invalid'; reason: string };

/** Events gitsync acts on, by the name used in metrics. */
export const GITHUB_EVENTS = ['pull_request', 'pull_request_review', 'push', 'ping'] as const;
export const GITLAB_EVENTS: Readonly<Record<string, string>> = {
  'Merge Request Hook': 'merge_request',
  'Push Hook': 'push',
};

type Json = Record<string, unknown>;

function object(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

const invalid = (reason: string): ParsedDelivery => ({ kind: 'invalid', reason });

/** `refs/heads/x` -> branch x; a tag or any other ref -> ignored. */
function branchOfRef(ref: unknown, repoUrl: string): ParsedDelivery {
  const name = text(ref);
  if (!name) return invalid('ref must be a non-empty string');
  if (!name.startsWith('refs/heads/')) return { kind: 'ignored', reason: 'not a branch (a tag or another ref)' };
  const branch = name.slice('refs/heads/'.length);
  return branch ? { kind: 'branch', repoUrl, branch } : invalid('ref names no branch');
}

/** A GitHub delivery's `X-GitHub-Event` and parsed body. */
export function parseGitHubDelivery(event: string, body: unknown): ParsedDelivery {
  const payload = object(body);
  if (!payload) return invalid('the body must be a JSON object');
  switch (event) {
    case 'ping':
      return { kind: 'ping' };
    case 'pull_request':
    case 'pull_request_review': {
      const head = object(object(payload.pull_request)?.head);
      if (!head) return invalid('pull_request.head must be an object');
      const branch = text(head.ref);
      if (!branch) return invalid('pull_request.head.ref must be a non-empty string');
      // A PR whose fork was deleted has no head repository left to match.
      if (head.repo === null) return { kind: 'ignored', reason: 'the head repository no longer exists' };
      const repoUrl = text(object(head.repo)?.html_url);
      if (!repoUrl) return invalid('pull_request.head.repo.html_url must be a non-empty string');
      return { kind: 'branch', repoUrl, branch };
    }
    case 'push': {
      const repoUrl = text(object(payload.repository)?.html_url);
      if (!repoUrl) return invalid('repository.html_url must be a non-empty string');
      return branchOfRef(payload.ref, repoUrl);
    }
    default:
      return { kind: 'ignored', reason: `event ${event} is not used` };
  }
}

/** A GitLab delivery's `X-Gitlab-Event` and parsed body. */
export function parseGitLabDelivery(event: string, body: unknown): ParsedDelivery {
  const payload = object(body);
  if (!payload) return invalid('the body must be a JSON object');
  switch (event) {
    case 'Merge Request Hook': {
      const attributes = object(payload.object_attributes);
      if (!attributes) return invalid('object_attributes must be an object');
      const branch = text(attributes.source_branch);
      if (!branch) return invalid('object_attributes.source_branch must be a non-empty string');
      const source = object(attributes.source);
      const repoUrl = text(source?.web_url) ?? text(source?.git_http_url);
      if (!repoUrl) return invalid('object_attributes.source.web_url must be a non-empty string');
      return { kind: 'branch', repoUrl, branch };
    }
    case 'Push Hook': {
      const project = object(payload.project);
      const repoUrl = text(project?.web_url) ?? text(project?.git_http_url);
      if (!repoUrl) return invalid('project.web_url must be a non-empty string');
      return branchOfRef(payload.ref, repoUrl);
    }
    default:
      return { kind: 'ignored', reason: `event ${event} is not used` };
  }
}
