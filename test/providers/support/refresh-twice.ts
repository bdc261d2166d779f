import type { PullRequestStatus } from '../../../src/domain/row.ts';
import type { GitProvider, ProviderCallContext, PullRequestRef } from '../../../src/providers/provider.ts';
import { RowConditionalCache } from '../../../src/refresh/conditional-cache.ts';

/**
 * A PR refreshed with nothing cached, then again from that cache as the row stores it (through
 * JSON); `between` runs in between (clearing the request log): what the second refresh asks is
 * what an unchanged PR costs.
 */
export async function refreshTwice(
  provider: GitProvider,
  ref: PullRequestRef,
  ctx: (cache: RowConditionalCache) => ProviderCallContext,
  between: () => void,
): Promise<[PullRequestStatus, PullRequestStatus]> {
  const cache = new RowConditionalCache(undefined);
  const first = await provider.fetchPullRequestStatus(ref, ctx(cache));
  between();
  const second = await provider.fetchPullRequestStatus(ref, ctx(new RowConditionalCache(JSON.parse(JSON.stringify(cache.entries())))));
  return [first, second];
}
