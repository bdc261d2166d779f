import type { Random } from './prng.ts';

/**
 * A broken repository: `error` answers a 5xx, `hang` never answers and drops the
 * connection after `maxHangMs` unless the client gave up first.
 */
export type FaultSpec =
  | { kind: 'error'; status?: 500 | 502 | 503; probability?: number }
  | { kind: 'hang'; maxHangMs?: number; probability?: number };

export const DEFAULT_MAX_HANG_MS = 60_000;

/** Faults keyed by `owner/repo` (case-insensitive), changeable while the host runs. */
export interface Faults {
  set(repoPath: string, fault: FaultSpec): void;
  delete(repoPath: string): void;
  /** The fault this request to `owner/repo` suffers, if any. */
  draw(owner: string, repo: string): FaultSpec | null;
}

export function createFaults(initial: Record<string, FaultSpec>, rng: Random): Faults {
  const byRepo = new Map(Object.entries(initial).map(([path, spec]) => [path.toLowerCase(), spec]));
  return {
    set: (path, fault) => void byRepo.set(path.toLowerCase(), fault),
    delete: (path) => void byRepo.delete(path.toLowerCase()),
    draw(owner, repo) {
      const fault = byRepo.get(`${owner}/${repo}`.toLowerCase());
      if (!fault) return null;
      return fault.probability === undefined || rng.chance(fault.probability) ? fault : null;
    },
  };
}
