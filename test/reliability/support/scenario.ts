import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Repo } from '../../../src/dev/git-host-sim/world.ts';
import type { DiffStatusRow } from '../../../src/domain/row.ts';
import { runSlotInProcess, type SlotParts } from '../../../src/loop/slot.ts';
import { SLOT_INTERVAL_MS } from '../../../src/loop/rhythm.ts';
import type { DynamoFaultKind } from './dynamo-faults.ts';
import { HTTP_FAULTS, type HttpFault } from './fault-proxy.ts';
import { POLICY, type Harness } from './harness.ts';
import { makeMove, MOVE_KINDS, type MoveKind } from './moves.ts';

/** One thing that happens to the system; steps of a group run at the same time. */
export type Step =
  | { kind: 'tick'; batchSize: number }
  /** A slot of the fanned-out loop: the lead's plan, then one worker per shard group, all at once. */
  | { kind: 'fanOut'; workers: number; batchSize: number }
  /** A push: the same branch, another tracked branch of the repository, or a new one. */
  | { kind: 'markStale'; row: number; branch: 'same' | 'other' | 'new'; credentials: boolean }
  | { kind: 'refreshNow'; row: number }
  | { kind: 'httpFault'; repo: number; fault: HttpFault | null }
  | { kind: 'ddbFault'; fault: DynamoFaultKind | null; probability: number }
  /** DynamoDB unreachable for a moment, while the group's other steps run. */
  | { kind: 'outage'; ms: number }
  | { kind: 'advance'; ms: number }
  /** A tick whose process dies after claiming. */
  | { kind: 'abandon' }
  /** Something users or hosts do that a row must heal from (moves.ts). */
  | { kind: 'move'; move: MoveKind; row: number };

export type StepGroup = Step[];

const index = fc.nat({ max: 1_000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('tick' as const), batchSize: fc.constantFrom(3, 10, 25) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('fanOut' as const), workers: fc.constantFrom(2, 3, 4), batchSize: fc.constantFrom(3, 10, 25) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('markStale' as const),
      row: index,
      branch: fc.constantFrom('same' as const, 'other' as const, 'new' as const),
      credentials: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refreshNow' as const), row: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('httpFault' as const), repo: index, fault: fc.option(fc.constantFrom(...HTTP_FAULTS)) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('ddbFault' as const),
      fault: fc.option(fc.constantFrom<DynamoFaultKind>('throttle', 'throughput', 'server', 'lostAnswer')),
      probability: fc.constantFrom(0.05, 0.2, 0.5),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outage' as const), ms: fc.integer({ min: 0, max: 60 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.constantFrom(1_000, 15_000, POLICY.successTtlMs, POLICY.claimTtlMs + 1, POLICY.errorCapMs),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abandon' as const) }) },
  // Heavier than the rest: fourteen kinds of move share it, and each must come up in a short soak.
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('move' as const), move: fc.constantFrom(...MOVE_KINDS), row: index }) },
);

/** A scenario: groups of steps, each group one random interleaving of 1 to 4 steps. */
export const scenarioArbitrary = (maxGroups: number): fc.Arbitrary<StepGroup[]> =>
  fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: maxGroups });

/** The rows and repositories a scenario picks from. */
export interface ScenarioWorld {
  rows: readonly DiffStatusRow[];
  repos: readonly Repo[];
}

export interface ScenarioResult {
  interleavings: number;
  /** Ticks abandoned after claiming and DynamoDB outages (the other faults are counted where injected). */
  lambdaFaults: number;
  rowsChecked: number;
  violations: string[];
  /** Moves made, by kind. */
  moves: Record<MoveKind, number>;
  /** Rows that did not show their PR as the host has it within the liveness bound. */
  notHealed: string[];
}

/**
 * Runs each group's steps at once, then checks the invariants; finally stops every fault,
 * settles and checks liveness. Steps never throw: a failing operation is part of the test.
 */
export async function runScenario(h: Harness, world: ScenarioWorld, groups: readonly StepGroup[]): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    interleavings: 0,
    lambdaFaults: 0,
    rowsChecked: 0,
    violations: [],
    moves: Object.fromEntries(MOVE_KINDS.map((k) => [k, 0])) as Record<MoveKind, number>,
    notHealed: [],
  };
  const record = (report: { rowsChecked: number; violations: string[] }, when: string) => {
    result.rowsChecked += report.rowsChecked;
    result.violations.push(...report.violations.map((v) => `${when}: ${v}`));
  };
  for (const [g, group] of groups.entries()) {
    if (group.length > 1) result.interleavings += 1;
    result.lambdaFaults += group.filter((s) => s.kind === 'abandon' || s.kind === 'outage').length;
    await Promise.all(group.map((s) => runStep(h, world, s, result)));
    record(await h.check(), `after group ${g} ${JSON.stringify(group)}`);
  }
  result.notHealed = await h.settle();
  record(await h.check(), 'after settling');
  return result;
}

async function runStep(h: Harness, world: ScenarioWorld, s: Step, result: ScenarioResult): Promise<void> {
  switch (s.kind) {
    case 'tick':
      await h.tick({ batchSize: s.batchSize });
      return;
    case 'fanOut': {
      const census = h.system.census;
      if (!census) throw new Error('the harness store has no due census');
      // One row per worker is enough to fan out: the soak wants the workers, not the sizing.
      const parts: SlotParts = {
        census,
        fanOut: { maxWorkers: s.workers, reservedConcurrency: 0, rowsPerWorker: 1 },
        tick: ({ shards }) => h.tick({ batchSize: s.batchSize, ...(shards ? { shards } : {}) }),
      };
      await runSlotInProcess(parts, () => parts, Math.floor(h.clock.now() / SLOT_INTERVAL_MS), h.clock.now());
      return;
    }
    case 'markStale': {
      const row = world.rows[s.row % world.rows.length]!;
      const current = h.owned.get(row.chatId)!;
      const where = h.locate(current.gitRemoteOrigin);
      const repo = where?.repo ?? world.repos[0]!;
      const siblings = [...repo.branches.keys()];
      const branch =
        s.branch === 'same'
          ? (current.gitBranch ?? siblings[0]!)
          : s.branch === 'other'
            ? siblings[s.row % siblings.length]!
            : `new-${s.row}-${h.clock.now()}`;
      if (s.branch === 'new') (where?.host.sim ?? h.sim).world.addBranch(repo, branch, current.ownerId ?? 'nobody');
      const origin = h.originOf(repo, where?.host);
      await h.markStale([row.chatId], branch, s.credentials ? origin.replace('://', '://x-access-token:test-origin-secret@') : origin);
      return;
    }
    case 'refreshNow': {
      const row = world.rows[s.row % world.rows.length]!;
      h.touch(row.chatId);
      await h.system.refreshNow(row.chatId, 2_000).catch(() => {});
      return;
    }
    case 'httpFault': {
      const repo = world.repos[s.repo % world.repos.length]!;
      const key = `${repo.owner}/${repo.name}`.toLowerCase();
      if (s.fault) h.proxy.faults.set(key, s.fault);
      else h.proxy.faults.delete(key);
      return;
    }
    case 'ddbFault':
      if (s.fault) h.ddbFaults.add({ kind: s.fault, probability: s.probability, times: 20 });
      else h.ddbFaults.clear();
      return;
    case 'outage':
      h.ddbFaults.down();
      await sleep(s.ms);
      h.ddbFaults.up();
      return;
    case 'advance':
      h.clock.advance(s.ms);
      return;
    case 'abandon':
      void h.tick({ batchSize: 5 }, { refresher: { refresh: () => new Promise(() => {}) } });
      await sleep(50);
      return;
    case 'move': {
      const row = world.rows[s.row % world.rows.length]!;
      if (await makeMove(h, s.move, row.chatId, s.row)) result.moves[s.move] += 1;
      return;
    }
  }
}
