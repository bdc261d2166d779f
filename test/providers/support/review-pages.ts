import { createHash } from 'node:crypto';
import type { FakeApi } from './fake-api.ts';

export interface FakeReview {
  user: { login: string } | null;
  state: string;
}

/**
 * 150 reviews, oldest first: alice approves early (page 1) and requests changes late
 * (page 2, review 140); bob approves; carol and others only comment.
 */
export function reviewsWithLateChangeRequest(): FakeReview[] {
  const reviews: FakeReview[] = [];
  for (let i = 1; i <= 150; i++) {
    const login = i === 3 || i === 140 ? 'alice' : i === 50 ? 'bob' : `commenter-${i % 7}`;
    const state = i === 3 || i === 50 ? 'APPROVED' : i === 140 ? 'CHANGES_REQUESTED' : 'COMMENTED';
    reviews.push({ user: { login }, state });
  }
  return reviews;
}

/**
 * Serves `reviews` as GitHub does: `per_page=100` pages after the first at the
 * `/repositories/:id/...` form the `Link` header names (`rel="next"`, `"last"`), each page
 * with an ETag of its content (a matching `If-None-Match` gets a bare 304).
 */
export function serveReviewPages(api: FakeApi, apiPrefix: string, repoPath: string, number: number, reviews: readonly FakeReview[]): void {
  const perPage = 100;
  const pages = Math.max(1, Math.ceil(reviews.length / perPage));
  const pageUrl = (page: number) => `${apiPrefix}/repositories/42/pulls/${number}/reviews?per_page=${perPage}&page=${page}`;
  for (let page = 1; page <= pages; page++) {
    const body = reviews.slice((page - 1) * perPage, page * perPage);
    const links = [
      ...(page < pages ? [`<${api.url}${pageUrl(page + 1)}>; rel="next"`, `<${api.url}${pageUrl(pages)}>; rel="last"`] : []),
      ...(page > 1 ? [`<${api.url}${pageUrl(page - 1)}>; rel="prev"`, `<${api.url}${pageUrl(1)}>; rel="first"`] : []),
    ];
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}"`;
    const path = page === 1 ? `${apiPrefix}/repos/${repoPath}/pulls/${number}/reviews?per_page=${perPage}` : pageUrl(page);
    api.routes.set(path, { headers: { etag, ...(links.length > 0 ? { link: links.join(', ') } : {}) }, body });
  }
}
