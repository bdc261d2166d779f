import { githubDeliveryEvent } from '../webhook-request.ts';
import type { HostDialect } from './dialect.ts';
import { answer, matchRoute } from './github-router.ts';
import { rateLimitHeaders } from './rate-limit.ts';
import { checkDelivery, pullRequestDelivery } from './webhook-json.ts';

const DOCS = 'https://docs.github.com/rest';

/** GitHub, served in both layouts: github.com's (API at the root) and Enterprise's (`/api/v3`). */
export const githubDialect: HostDialect = {
  type: 'github',
  webPath: '',
  apiPath: '/api/v3',
  hourlyLimit: 5_000,
  notModifiedCounts: false,
  answersMovedRepos: true,
  matchRoute,
  answer,
  refusal(kind, detail) {
    switch (kind) {
      case 'unauthenticated':
        return { message: 'Requires authentication', documentation_url: DOCS, status: '401' };
      case 'bad-credentials':
        return { message: 'Bad credentials', documentation_url: DOCS, status: '401' };
      case 'not-found':
        return { message: 'Not Found', documentation_url: DOCS, status: '404' };
      case 'secondary-limit':
        return { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: DOCS };
      case 'server-error':
        return { message: detail ?? 'Server Error' };
    }
  },
  /** Both schemes GitHub accepts: `Bearer <t>` and `token <t>`. */
  credentialOf: (header) => /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '')?.[1],
  credentialFor: (_login, unique) => `ghs_sim_${unique}`,
  originOf: (urls, repo) => `${urls.web}/${repo.owner}/${repo.name}.git`,
  pullRequestUrl: (urls, repo, number) => `${urls.web}/${repo.owner}/${repo.name}/pull/${number}`,
  delivery(change, urls, secret) {
    if (change.kind === 'probe') return githubDeliveryEvent({ event: 'ping', payload: { zen: 'a probe' }, secret });
    const action = { opened: 'opened', updated: 'synchronize', reviewed: 'submitted', closed: 'closed' }[change.kind];
    const event = change.kind === 'reviewed' ? 'pull_request_review' : 'pull_request';
    return githubDeliveryEvent({ event, payload: pullRequestDelivery(change.repo, change.pr, urls, action), secret });
  },
  checkDelivery(repo, pr, check, urls, secret) {
    return githubDeliveryEvent({ ...checkDelivery(repo, pr, check, urls), secret });
  },
  answerHeaders: (n) => ({ 'x-github-api-version-selected': '2022-11-28', 'x-github-request-id': n.toString(16).toUpperCase().padStart(8, '0') }),
  limitHeaders: rateLimitHeaders,
  limited: (state, status, login) => ({
    status,
    headers: rateLimitHeaders(state),
    body: { message: `API rate limit exceeded for user ${login}.`, documentation_url: DOCS },
  }),
};
