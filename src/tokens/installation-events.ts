/** Where a GitHub App's installation events go (the webhook receiver tells; `ops/installation-changed.ts` acts). */
export interface InstallationEvents {
  /**
   * The App is now installed on `accounts` as `installationId`, or removed from them (null).
   * Rows of those accounts left waiting without a token are made due at once.
   */
  changed(host: string, accounts: readonly string[], installationId: number | null, at: number): Promise<{ madeDue: number }>;
}

/** What gitsync remembers of a GitHub App's installations (`app-token-resolver.ts` keeps it). */
export interface InstallationRecords {
  /** Every container reads the new record at its next refresh of those accounts' rows. */
  record(host: string, accounts: readonly string[], installationId: number | null, at: number): Promise<void>;
  /** Owners whose rows on the account found no token at all (see `InstallationRecord.waitingOwners`). */
  waitingOwners(host: string, account: string): Promise<readonly string[]>;
  doneWaiting(host: string, account: string, owners: readonly string[]): Promise<void>;
}
