import type { Clock } from '../domain/clock.ts';
import type { ProviderRegistry } from '../providers/provider.ts';
import type { TokenWaits } from '../store/token-waits.ts';
import { accountOf } from '../tokens/app-token-resolver.ts';
import type { InstallationRecords } from '../tokens/installation-events.ts';
import { tokenLinked } from './token-linked.ts';

export interface InstallationChange {
  host: string;
  /** Lower-case account logins. */
  accounts: readonly string[];
  /** Null: the App was removed from (or suspended on) the accounts. */
  installationId: number | null;
  at: number;
}

/**
 * A GitHub App's installation event. The new record first (every container reads it at its
 * next refresh of those accounts); then, when the App is now installed, the rows of those
 * accounts waiting with `no_token` are made due at once, as a linked token makes its owner's
 * rows due: the owners noted on the account (`waitingOwners`) are looked up on the same
 * `byAwaitingToken` index, keeping only their rows on this host and account.
 *
 * A removal makes nothing due: which rows used the App is in no index, and their data stays
 * right; each picks the fallback (the owner's token, or `no_token` with the reason) at its
 * next refresh, when the refused or unmintable token sends the resolver to the fallback.
 */
export async function installationChanged(
  deps: { records: InstallationRecords; waits: TokenWaits; registry: ProviderRegistry; clock: Clock },
  change: InstallationChange,
): Promise<{ madeDue: number }> {
  const { records, waits, registry, clock } = deps;
  await records.record(change.host, change.accounts, change.installationId, change.at);
  if (change.installationId === null) return { madeDue: 0 };
  let madeDue = 0;
  for (const account of change.accounts) {
    const owners = await records.waitingOwners(change.host, account);
    const onAccount = (origin: string | undefined): boolean => {
      const found = origin === undefined ? null : registry.forOrigin(origin);
      return found !== null && found.provider.host === change.host && accountOf(found.repo) === account;
    };
    for (const owner of owners) madeDue += (await tokenLinked(waits, clock, owner, onAccount)).madeDue;
    // Only after their rows are due: a failure leaves the owners for the redelivered event.
    await records.doneWaiting(change.host, account, owners);
  }
  return { madeDue };
}
