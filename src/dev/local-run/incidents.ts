import type { DiffStatusRow } from '../../domain/row.ts';
import type { Seeded } from './seeding.ts';
import type { SimulatedHost } from './simulated-host.ts';

/**
 * What goes wrong during a simulated run, once rows have had their first refresh (so every row
 * with a token is refreshed at least once, and the trouble meets rows polling again):
 * - the quota owner's token runs out of quota (another app of the same user spent it);
 * - with `faults`, one repository answers 500s and another hangs until the client times out.
 * Each fires once; `check` returns the lines to announce.
 */
export interface Incidents {
  check(refreshedRows: ReadonlySet<string>): string[];
}

export function planIncidents(host: SimulatedHost, seeded: Seeded, faults: boolean): Incidents {
  const ownerRows = (ownerId: string | undefined) => seeded.rows.filter((r) => r.ownerId === ownerId);
  const withToken = seeded.rows.filter((r) => r.ownerId !== undefined && r.ownerId in seeded.tokens);
  const all = (rows: DiffStatusRow[], refreshed: ReadonlySet<string>) => rows.every((r) => refreshed.has(r.chatId));
  const repos = [...new Set(withToken.map((r) => new URL(r.gitRemoteOrigin!).pathname.slice(1).replace(/\.git$/, '')))].sort();
  let quotaSpent = seeded.quotaOwner === undefined;
  let faultsOn = !faults || repos.length < 2;

  return {
    check(refreshed) {
      const lines: string[] = [];
      if (!quotaSpent && all(ownerRows(seeded.quotaOwner), refreshed)) {
        quotaSpent = true;
        host.exhaustQuota(seeded.tokens[seeded.quotaOwner!]!);
        lines.push(`incident: ${seeded.quotaOwner}'s token has no quota left this hour (another app of the same user spent it)`);
      }
      if (!faultsOn && all(withToken, refreshed)) {
        faultsOn = true;
        host.sim.faults.set(repos[0]!, { kind: 'error', status: 500 });
        host.sim.faults.set(repos[1]!, { kind: 'hang' });
        lines.push(`incident: ${repos[0]} answers 500s, ${repos[1]} hangs until the client times out`);
      }
      return lines;
    },
  };
}
