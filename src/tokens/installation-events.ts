/** Where a GitHub App's installation events go (the webhook receiver tells; `app-token-resolver.ts` listens). */
export interface InstallationEvents {
  /** The App is now installed on `accounts` as `installationId`, or removed from them (null). */
  changed(host: string, accounts: readonly string[], installationId: number | null, at: number): Promise<void>;
}
