import { request } from 'undici';
import type { SimChange } from '../git-host-sim/dialect.ts';
import type { FunctionUrlEvent } from '../../webhooks/receive.ts';
import type { GitHostSim } from '../git-host-sim/server.ts';
import type { PullRequest, Repo } from '../git-host-sim/world.ts';
import { seededRandom } from '../git-host-sim/prng.ts';
import type { ChangeFeed } from './change-feed.ts';

export interface WebhookSenderOptions {
  /** The simulated host; its dialect renders the deliveries. */
  sim: GitHostSim;
  /** The function URL deliveries are POSTed to. */
  receiverUrl: string;
  secret: string;
  /** Share of changes (0..1) the host sends a delivery for; the rest only polling finds. */
  share: number;
  seed: string;
  feed: ChangeFeed;
  /** After each delivery's answer. */
  onDelivered(): void;
  /** How often the host's world is looked at for changes (ms). Default 250. */
  intervalMs?: number;
}

export interface WebhookSender {
  /** Deliveries answered 2xx, and refused (401/403). */
  counts(): { deliveries: number; refused: number };
  stop(): Promise<void>;
}

/**
 * Makes the simulated host send webhooks, as a repository webhook would: it watches the
 * world, records every pull-request change for the feed, and for a share of them POSTs the
 * signed delivery its dialect sends (GitHub `pull_request` / `pull_request_review`, Bitbucket
 * `pullrequest:*` / `pr:*`) to the receiver; a CI check that finished on a head commit too
 * (GitHub `check_run` / `status`). It starts with one delivery signed with a wrong
 * secret (a probe), which must be refused.
 */
export function startWebhookSender(o: WebhookSenderOptions): WebhookSender {
  const rng = seededRandom(o.seed).fork('webhooks');
  const urls = { web: o.sim.url, api: o.sim.apiUrl };
  const seen = new Map<string, { signature: string; reviews: number; head: string; finished: number[] }>();
  const inFlight = new Set<Promise<void>>();
  let deliveries = 0;
  let refused = 0;
  let first = true;

  const send = (change: SimChange, secret: string) => {
    const e = o.sim.dialect.delivery?.(change, urls, secret);
    if (e) post(e);
  };
  const post = (e: FunctionUrlEvent) => {
    const sent = request(o.receiverUrl, { method: 'POST', headers: e.headers as Record<string, string>, body: e.body })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode === 401 || res.statusCode === 403) refused += 1;
        else if (res.statusCode < 300) deliveries += 1;
        o.onDelivered();
      })
      .catch(() => {})
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };

  const scan = () => {
    o.sim.world.advanceTo(Date.now());
    for (const repo of o.sim.world.repos()) {
      for (const pr of repo.pulls.values()) {
        const key = `${repo.owner}/${repo.name}#${pr.number}`;
        const signature = JSON.stringify([pr.state, pr.merged, pr.draft, pr.headSha, pr.reviews.length, pr.updatedAt]);
        const finished = pr.checks.filter((c) => c.completedAt !== null).map((c) => c.id);
        const before = seen.get(key);
        seen.set(key, { signature, reviews: pr.reviews.length, head: pr.headSha, finished });
        if (first) continue;
        if (before?.signature !== signature) {
          o.feed.recordChange(o.sim.originOf(repo), pr.headRef, pr.updatedAt);
          if (rng.next() < o.share) deliver(repo, pr, before?.reviews);
          continue;
        }
        // The same head, and CI finished a check since: a change of its own (the PR's updated_at stays).
        const newlyFinished = before.head === pr.headSha ? pr.checks.filter((c) => c.completedAt !== null && !before.finished.includes(c.id)) : [];
        for (const check of newlyFinished) {
          o.feed.recordChange(o.sim.originOf(repo), pr.headRef, check.completedAt!);
          const e = o.sim.dialect.checkDelivery?.(repo, pr, check, urls, o.secret);
          if (e && rng.next() < o.share) post(e);
        }
      }
    }
    first = false;
  };

  const deliver = (repo: Repo, pr: PullRequest, reviewsBefore: number | undefined) => {
    send({ kind: kindOf(pr, reviewsBefore), repo, pr }, o.secret);
  };

  send({ kind: 'probe' }, `${o.secret}-wrong`);
  scan();
  const timer = setInterval(scan, o.intervalMs ?? 250);
  return {
    counts: () => ({ deliveries, refused }),
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

function kindOf(pr: PullRequest, reviewsBefore: number | undefined): Exclude<SimChange['kind'], 'probe'> {
  if (reviewsBefore === undefined) return 'opened';
  if (pr.reviews.length > reviewsBefore) return 'reviewed';
  if (pr.state === 'closed') return 'closed';
  return 'updated';
}
