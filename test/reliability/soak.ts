/**
 * Long randomized soak, loopback only: `npm run soak -- [--json] [--max-scenarios N]
 * [--max-seconds S] [--rows R] [--seed K] [--host TYPE] [--moves-per-scenario M]` (`--host`: the kind of host simulated,
 * a provider type the simulator speaks: github by default, bitbucket-cloud, bitbucket-server). Each scenario seeds a fresh simulated world
 * (evolving as it runs), runs random interleavings of ticks, pushes, refresh-now calls,
 * provider, DynamoDB and Lambda faults and clock jumps, checks every invariant after each
 * group, then stops the faults and checks that every row shows its PR as the host has it
 * (whatever moved: hosts, repository names, reused branches, damaged caches, oversized and
 * trickling answers). Stops at the count or the time bound, whichever comes first; exits 1
 * when any invariant was violated or any row did not heal.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { simDialect } from '../../src/dev/git-host-sim/dialects.ts';
import { DEFAULT_RATES } from '../../src/dev/git-host-sim/evolution.ts';
import { seedWorld } from '../../src/dev/git-host-sim/seed.ts';
import { Harness } from './support/harness.ts';
import { MOVE_KINDS, type MoveKind } from './support/moves.ts';
import { runScenario, scenarioArbitrary, type StepGroup } from './support/scenario.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'max-scenarios': { type: 'string', default: '200' },
    'max-seconds': { type: 'string', default: '600' },
    rows: { type: 'string', default: '60' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    // Moves every scenario makes besides its random ones, the kinds taken in turn, so a short soak makes each kind.
    'moves-per-scenario': { type: 'string', default: '7' },
    host: { type: 'string', default: 'github' },
  },
});
const maxScenarios = positive('max-scenarios');
const maxMs = positive('max-seconds') * 1_000;
const rowCount = positive('rows');
const movesPerScenario = positive('moves-per-scenario');
/** The turns start at issue 19's kinds (races, damaged bookkeeping, outside writers, failures). */
const FIRST_TURN = MOVE_KINDS.indexOf('webhookRace');
const baseSeed = Number(values.seed);
const dialect = simDialect(values.host);
if (!dialect) {
  process.stderr.write(`--host must be a type the simulated host speaks, got ${values.host}\n`);
  process.exit(2);
}

const totals = {
  scenarios: 0,
  interleavings: 0,
  faultsInjected: 0,
  rowsChecked: 0,
  violations: 0,
  moves: Object.fromEntries(MOVE_KINDS.map((k) => [k, 0])) as Record<MoveKind, number>,
  notHealed: 0,
  /** Scenarios whose seeding timed out (a loaded machine) and were run again. */
  setupRetries: 0,
};
const startedAt = performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);
log(`soak: ${dialect.type} host, seed ${baseSeed}, up to ${maxScenarios} scenarios or ${maxMs / 1000} s, ${rowCount} rows each`);

while (totals.scenarios < maxScenarios && performance.now() - startedAt < maxMs) {
  const seed = baseSeed + totals.scenarios;
  // Four due-index shards: the scenarios' fan-out steps split them over up to four workers.
  const h = await Harness.create({ seed, shardCount: 4, sim: { rates: DEFAULT_RATES, dialect }, secondHost: true });
  try {
    const seeded = seedWorld(h.sim, { rows: rowCount, now: h.clock.now(), shardCount: h.shardCount, seed });
    try {
      await h.adopt(seeded);
    } catch (err) {
      // The machine, not the product: seeding timed out under load. The scenario is run again.
      totals.setupRetries += 1;
      log(`scenario setup failed (seed ${seed}), run again: ${String(err)}`);
      continue;
    }
    const [sampled] = fc.sample(scenarioArbitrary(12), { seed, numRuns: 1 });
    // Each guaranteed move races a tick; the random groups follow.
    const turns: StepGroup[] = Array.from({ length: movesPerScenario }, (_, j) => [
      { kind: 'move', move: MOVE_KINDS[(FIRST_TURN + totals.scenarios * movesPerScenario + j) % MOVE_KINDS.length]!, row: seed * 7 + j },
      { kind: 'tick', batchSize: 10 },
    ]);
    const groups = [...turns, ...sampled!];
    const result = await runScenario(h, { rows: seeded.rows, repos: h.sim.world.repos() }, groups);
    totals.scenarios += 1;
    totals.interleavings += result.interleavings;
    totals.faultsInjected += result.lambdaFaults + h.ddbFaults.injected + h.hosts.reduce((n, x) => n + x.proxy.faultsServed, 0);
    totals.rowsChecked += result.rowsChecked;
    totals.violations += result.violations.length;
    totals.notHealed += result.notHealed.length;
    for (const kind of MOVE_KINDS) totals.moves[kind] += result.moves[kind];
    for (const violation of result.violations) log(`VIOLATION (seed ${seed}): ${violation}`);
    for (const miss of result.notHealed) log(`NOT HEALED (seed ${seed}): ${miss}`);
    log(`scenario ${totals.scenarios} (seed ${seed}): ${groups.length} groups, ${result.violations.length} violations, ${result.notHealed.length} not healed`);
  } finally {
    await h.close();
  }
}

const seconds = Math.round((performance.now() - startedAt) / 1000);
if (values.json) process.stdout.write(`${JSON.stringify(totals)}\n`);
else log(`soak done in ${seconds} s: ${JSON.stringify(totals)}`);
process.exit(totals.violations > 0 || totals.notHealed > 0 ? 1 : 0);

function positive(name: 'max-scenarios' | 'max-seconds' | 'rows' | 'moves-per-scenario'): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) {
    log(`--${name} must be a positive whole number, got ${values[name]}`);
    process.exit(2);
  }
  return value;
}
