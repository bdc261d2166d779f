/**
 * What reading every review page costs: for PRs with more and more reviews on the simulated
 * GitHub, the requests of a first refresh and of an unchanged one (counted against the
 * limit vs 304s), the stored `httpCache` size, and whether the change request on the last
 * page shows. Run: `node bench/review-pages.ts` (loopback only, a few seconds).
 */
import { start } from '../src/dev/git-host-sim/server.ts';
import { parseProviderConfigs } from '../src/providers/config.ts';
import { createHttpAgent } from '../src/providers/http/agent.ts';
import type { TruncatedList } from '../src/providers/provider.ts';
import { createProviderRegistry } from '../src/providers/registry.ts';
import { RowConditionalCache } from '../src/refresh/conditional-cache.ts';

const REVIEW_COUNTS = [20, 100, 150, 1_000, 1_500];
const TOKEN = 'tok-bench';

const sim = await start({ seed: 15, tokens: { [TOKEN]: 'dev' }, rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 } });
const agent = createHttpAgent();
const provider = createProviderRegistry(parseProviderConfigs(JSON.stringify([{ type: 'github', webUrl: sim.url, apiUrl: sim.apiUrl }])), { dispatcher: agent }).providers[0]!;
const repo = sim.world.addRepo('acme', 'app');

console.log('| reviews | 1st refresh: requests (counted) | 2nd, unchanged | 3rd, unchanged | httpCache bytes | changesRequested | truncated |');
console.log('|---|---|---|---|---|---|---|');
try {
  for (const count of REVIEW_COUNTS) {
    const pr = sim.world.openPullRequest(repo, sim.world.addBranch(repo, `r-${count}`, 'dev'), { title: `${count} reviews` }, Date.now());
    // Twelve reviewers; the last review of all is a change request.
    for (let i = 0; i < count - 1; i++) sim.world.review(pr, `reviewer-${i % 12}`, i % 3 === 0 ? 'APPROVED' : 'COMMENTED', Date.now());
    sim.world.review(pr, 'reviewer-0', 'CHANGES_REQUESTED', Date.now());
    const ref = { repo: { host: provider.host, path: 'acme/app' }, number: pr.number };
    let cache = new RowConditionalCache(undefined);
    const truncated: TruncatedList[] = [];
    const refresh = async () => {
      const before = sim.stats.snapshot();
      const status = await provider.fetchPullRequestStatus(ref, { token: TOKEN, signal: AbortSignal.timeout(30_000), cache, truncated: (l) => truncated.push(l) });
      const after = sim.stats.snapshot();
      return { status, requests: after.requests - before.requests, counted: after.counted - before.counted };
    };
    // Each refresh starts from the stored entries, as in another container.
    const again = async () => {
      cache = new RowConditionalCache(JSON.parse(JSON.stringify(cache.entries())));
      return refresh();
    };
    const [first, second, third] = [await refresh(), await again(), await again()];
    const cell = (r: typeof first) => `${r.requests} (${r.counted})`;
    console.log(
      `| ${count} | ${cell(first)} | ${cell(second)} | ${cell(third)} | ${JSON.stringify(cache.entries()).length} | ${third.status.changesRequested} | ${truncated.length > 0 ? `at ${truncated[0]!.pages} pages` : 'no'} |`,
    );
  }
} finally {
  await agent.close();
  await sim.close();
}
