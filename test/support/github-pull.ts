import type { FakeApi } from '../providers/support/fake-api.ts';

/**
 * A loopback GitHub (`api`, GitHub Enterprise paths) with one repository `acme/app`: branch
 * `feat` has PR 9 (merged, approved), branch `none` has no open PR. PR 9 answers only `token`.
 */
export function serveAcmeApp(api: FakeApi, token: string): void {
  const list = (branch: string) => `/api/v3/repos/acme/app/pulls?head=acme%3A${branch}&state=open&sort=updated&direction=desc&per_page=1`;
  api.routes.set(list('feat'), { body: [{ number: 9 }] });
  api.routes.set(list('none'), { body: [] });
  api.routes.set('/api/v3/repos/acme/app/pulls/9', (req) =>
    req.headers.authorization === `Bearer ${token}`
      ? {
          body: {
            number: 9, state: 'closed', merged: true, title: 'Ship it', draft: false, additions: 5, deletions: 2,
            changed_files: 1, commits: 2, user: { login: 'octo', avatar_url: 'https://a/1' }, base: { ref: 'main' }, head: { ref: 'feat' },
          },
        }
      : { status: 401, body: { message: 'Bad credentials' } },
  );
  api.routes.set('/api/v3/repos/acme/app/pulls/9/reviews?per_page=100', { body: [{ user: { login: 'r' }, state: 'APPROVED' }] });
}

/** PR 9 as gitsync stores it (its `url` depends on the server's address). */
export const ACME_PULL_9 = {
  url: '', pullRequestState: 'merged', pullRequestTitle: 'Ship it', pullRequestDraft: false, additions: 5, deletions: 2,
  changedFiles: 1, commits: 2, authorLogin: 'octo', authorAvatarUrl: 'https://a/1', baseBranch: 'main', headBranch: 'feat',
  prNumber: 9, changesRequested: false, approved: true, reviewerCount: 1,
};
