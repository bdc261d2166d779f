import type { ParsedDelivery } from './provider-webhook.ts';

/** Readers of a delivery's JSON, shared by the provider types' webhook parts. */
export type JsonObject = Record<string, unknown>;

export function jsonObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

export function nonEmptyText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export const invalidDelivery = (reason: string): ParsedDelivery => ({ kind: 'invalid', reason });

/** `refs/heads/x` -> branch x; a tag or any other ref -> ignored. */
export function branchOfRef(ref: unknown, repoUrl: string): ParsedDelivery {
  const name = nonEmptyText(ref);
  if (!name) return invalidDelivery('ref must be a non-empty string');
  if (!name.startsWith('refs/heads/')) return { kind: 'ignored', reason: 'not a branch (a tag or another ref)' };
  const branch = name.slice('refs/heads/'.length);
  return branch ? { kind: 'branch', repoUrl, branch } : invalidDelivery('ref names no branch');
}

/**
 * A push naming several refs (`refs/heads/x`, ...): every branch among them, the first as the
 * delivery's `branch` and the rest as `otherBranches`; ignored when none is a branch.
 */
export function branchesOfRefs(refs: readonly unknown[], repoUrl: string): ParsedDelivery {
  const branches: string[] = [];
  for (const ref of refs) {
    const one = branchOfRef(ref, repoUrl);
    if (one.kind === 'branch' && !branches.includes(one.branch)) branches.push(one.branch);
  }
  const [branch, ...otherBranches] = branches;
  if (branch === undefined) return { kind: 'ignored', reason: 'the push names no branch (tags only)' };
  return { kind: 'branch', repoUrl, branch, ...(otherBranches.length > 0 ? { otherBranches } : {}) };
}
