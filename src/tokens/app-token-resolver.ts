import type { WaitingClock } from '../domain/clock.ts';
import { describeError, NoTokenError, ProviderError } from '../domain/errors.ts';
import { silentLog, type Log } from '../domain/log.ts';
import type { GitHubAppClient, MintedToken } from '../providers/github/app/app-client.ts';
import type { GitProvider, RepoRef } from '../providers/provider.ts';
import type { InstallationRecords } from './installation-events.ts';
import type { AppTokenStore, InstallationRecord } from './app-token-store.ts';
import { tokenScope, type ResolvedToken, type TokenResolver } from './token-resolver.ts';

/**
 * What a token's reuse margin adds to the longest a handed-out token is used (a tick's budget:
 * it is resolved at a batch's start and used by requests starting until the budget ends; GitHub
 * checks a token when a request arrives, so one in flight as it expires is not cut off): the
 * error left in its expiry on our clock (the `Date` header that corrects GitHub's skew has
 * whole seconds; the mint answer's transit), with room to spare. A token that still expires
 * early is refused once (401) and replaced.
 */
export const TOKEN_EXPIRY_SLACK_MS = 30_000;

/** A token is used until this long before its expiry: `longestUseMs` (a tick's budget) and the slack. */
export function tokenReuseMarginMs(longestUseMs: number): number {
  return longestUseMs + TOKEN_EXPIRY_SLACK_MS;
}
/** "Not installed" is asked again after this long: an org may install the App any time. */
export const NOT_INSTALLED_TTL_MS = 10 * 60_000;
/** A found installation is checked again after this long (its id rarely changes; a failed mint re-checks at once). */
export const INSTALLED_TTL_MS = 24 * 60 * 60_000;
/** How long one container holds the right to mint; others wait for its token meanwhile. */
export const MINT_LEASE_MS = 15_000;
/** How long a container that lost the lease waits for the winner's token before giving up for this tick. */
export const MINT_WAIT_MS = 3_000;
const MINT_POLL_MS = 150;
/** Each App call's own time limit. */
const APP_CALL_TIMEOUT_MS = 10_000;

export interface AppTokenResolverOptions {
  /** Personal tokens: used where the App is not installed. */
  personal: TokenResolver;
  /** The App client of each `github` host configured with an `app`, by host. */
  apps: ReadonlyMap<string, GitHubAppClient>;
  store: AppTokenStore;
  /** Reads the time, waits between looks at another container's mint, and times out App calls. */
  clock: WaitingClock;
  /** The longest a resolved token is used: the tick's budget (see `tokenReuseMarginMs`). */
  longestUseMs: number;
  log?: Log;
  /** Hears each mint (a metric); never the token. */
  onMint?: (host: string, installationId: number) => void;
}

interface CachedToken extends MintedToken {
  rateLimitedUntil?: number;
}

/**
 * Which token a row uses: the App's installation token when the repository's account has
 * the App installed; else the owner's personal token; `no_token` only when neither exists.
 * Installation tokens are shared by every container through the `AppTokenStore` and kept in
 * memory until shortly before they expire (`tokenReuseMarginMs`); rate limits are remembered
 * per installation.
 */
export class AppTokenResolver implements TokenResolver, InstallationRecords {
  readonly #o: AppTokenResolverOptions;
  readonly #log: Log;
  readonly #marginMs: number;
  readonly #installations = new Map<string, InstallationRecord>();
  readonly #tokens = new Map<string, CachedToken>();
  /** Mints and renewals in flight in this container, so concurrent rows share one. */
  readonly #pending = new Map<string, Promise<unknown>>();

  constructor(options: AppTokenResolverOptions) {
    this.#o = options;
    this.#log = options.log ?? silentLog;
    this.#marginMs = tokenReuseMarginMs(options.longestUseMs);
  }

  scope(ownerId: string, provider: GitProvider, repo: RepoRef): string {
    return this.#o.apps.has(provider.host) ? JSON.stringify([ownerId, provider.host, accountOf(repo)]) : tokenScope(this.#o.personal, ownerId, provider, repo);
  }

  async resolve(ownerId: string, provider: GitProvider, repo: RepoRef): Promise<ResolvedToken> {
    const app = this.#o.apps.get(provider.host);
    if (!app) return this.#o.personal.resolve(ownerId, provider, repo);
    const record = await this.#installation(app, provider.host, repo);
    if (record.installationId !== null) {
      const token = await this.#installationToken(app, provider.host, record.installationId);
      if (token) return token;
      // The installation is gone (uninstalled or suspended since): the owner's own token, if any.
      this.#forgetInstallation(provider.host, accountOf(repo));
      await this.#o.store.rememberInstallation(provider.host, accountOf(repo), { installationId: null, checkedAt: this.#o.clock.now() });
    }
    try {
      return await this.#o.personal.resolve(ownerId, provider, repo);
    } catch (err) {
      // Neither token: the row will wait under its owner's id; the account's record says whose
      // rows to wake when the App is installed there (`waitingOwners`), noted once per owner.
      if (err instanceof NoTokenError && !record.waitingOwners?.includes(ownerId)) await this.#o.store.noteWaiting(provider.host, accountOf(repo), ownerId);
      throw err;
    }
  }

  async recordRateLimit(token: ResolvedToken, resetAt: number): Promise<void> {
    const app = parseAppKey(token.key);
    if (!app) return this.#o.personal.recordRateLimit(token, resetAt);
    const cached = this.#tokens.get(token.key);
    if (cached) cached.rateLimitedUntil = Math.max(cached.rateLimitedUntil ?? 0, resetAt);
    await this.#o.store.recordRateLimit(app.host, app.installationId, resetAt);
  }

  async refused(token: ResolvedToken): Promise<boolean> {
    const parsed = parseAppKey(token.key);
    if (!parsed) return (await this.#o.personal.refused?.(token)) ?? false;
    if (this.#tokens.get(token.key)?.token === token.value) this.#tokens.delete(token.key);
    // Unless another container already replaced it: then its token is the one to use.
    await this.#o.store.dropToken(parsed.host, parsed.installationId, token.value);
    return true;
  }

  /** An installation event: every container reads the new record at its next refresh of those accounts' rows. */
  async record(host: string, accounts: readonly string[], installationId: number | null, at: number): Promise<void> {
    for (const account of accounts) {
      this.#forgetInstallation(host, account);
      await this.#o.store.rememberInstallation(host, account, { installationId, checkedAt: at });
    }
  }

  async waitingOwners(host: string, account: string): Promise<readonly string[]> {
    return (await this.#o.store.installation(host, account))?.waitingOwners ?? [];
  }

  doneWaiting(host: string, account: string, owners: readonly string[]): Promise<void> {
    return this.#o.store.doneWaiting(host, account, owners);
  }

  async #installation(app: GitHubAppClient, host: string, repo: RepoRef): Promise<InstallationRecord> {
    const account = accountOf(repo);
    const key = JSON.stringify([host, account]);
    const now = this.#o.clock.now();
    const fresh = (r: InstallationRecord): boolean =>
      now - r.checkedAt < (r.installationId === null ? NOT_INSTALLED_TTL_MS : INSTALLED_TTL_MS) && r.checkedAt <= now;
    // Only found installations are kept in memory: "not installed" is read from the table each
    // batch, so an installation event (or another container's look-up) counts at once.
    const inMemory = this.#installations.get(key);
    if (inMemory && fresh(inMemory)) return inMemory;
    const stored = await this.#o.store.installation(host, account);
    if (stored && fresh(stored)) {
      if (stored.installationId !== null) this.#installations.set(key, stored);
      return stored;
    }
    const [, name = ''] = splitPath(repo);
    return this.#once(`installation#${key}`, async () => {
      const installationId = await app.installationFor(account, name, this.#o.clock.abortAfter(APP_CALL_TIMEOUT_MS));
      const record: InstallationRecord = { installationId, checkedAt: now };
      if (installationId !== null) this.#installations.set(key, record);
      await this.#o.store.rememberInstallation(host, account, record);
      return { ...record, ...(stored?.waitingOwners ? { waitingOwners: stored.waitingOwners } : {}) };
    });
  }

  #forgetInstallation(host: string, account: string): void {
    this.#installations.delete(JSON.stringify([host, account.toLowerCase()]));
  }

  /**
   * The installation's token: from memory, from the shared store, or minted by this container
   * when it wins the mint lease. Null when GitHub says the installation does not exist.
   */
  #installationToken(app: GitHubAppClient, host: string, installationId: number): Promise<ResolvedToken | null> {
    const key = appKey(host, installationId);
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt - this.#o.clock.now() > this.#marginMs) return Promise.resolve(resolved(key, cached));
    return this.#once(`token#${key}`, () => this.#fetchToken(app, host, installationId));
  }

  /** `work`, shared by every caller in this container while it runs. */
  #once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let pending = this.#pending.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = work().finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #fetchToken(app: GitHubAppClient, host: string, installationId: number): Promise<ResolvedToken | null> {
    const key = appKey(host, installationId);
    const store = this.#o.store;
    for (let look = 0; ; look++) {
      const now = this.#o.clock.now();
      const stored = await store.token(host, installationId);
      if (stored?.token && stored.expiresAt !== undefined && stored.expiresAt - now > this.#marginMs) {
        const token: CachedToken = { token: stored.token, expiresAt: stored.expiresAt, ...(stored.rateLimitedUntil !== undefined ? { rateLimitedUntil: stored.rateLimitedUntil } : {}) };
        this.#tokens.set(key, token);
        return resolved(key, token);
      }
      const leaseUntil = now + MINT_LEASE_MS;
      if (await store.claimMint(host, installationId, now, leaseUntil, now + this.#marginMs)) {
        const minted = await app.mint(installationId, this.#o.clock.abortAfter(APP_CALL_TIMEOUT_MS)).catch((err: unknown) => {
          this.#log.warn('could not mint a GitHub App installation token', { host, installationId, error: describeError(err) });
          throw err;
        });
        if (!minted) {
          // Gone: nothing to wait for. A failed mint keeps its lease instead, so no container retries at once.
          await store.releaseMint(host, installationId, leaseUntil);
          return null;
        }
        await store.saveToken(host, installationId, minted);
        this.#tokens.set(key, minted);
        this.#o.onMint?.(host, installationId);
        this.#log.info('minted a GitHub App installation token', { host, installationId, expiresAt: new Date(minted.expiresAt).toISOString() });
        return resolved(key, minted);
      }
      if (look * MINT_POLL_MS >= MINT_WAIT_MS) {
        throw new ProviderError(`GitHub App token of installation ${installationId}: another container is minting it; rows try again next tick`);
      }
      await this.#o.clock.sleep(MINT_POLL_MS);
    }
  }
}

function resolved(key: string, token: CachedToken): ResolvedToken {
  return { value: token.token, key, ...(token.rateLimitedUntil !== undefined ? { rateLimitedUntil: token.rateLimitedUntil } : {}) };
}

/** The account (user or organisation) a GitHub repository belongs to, lower-case. */
export function accountOf(repo: RepoRef): string {
  return splitPath(repo)[0]!.toLowerCase();
}

function splitPath(repo: RepoRef): string[] {
  return repo.path.split('/');
}

const APP_KEY_PREFIX = 'app:';

function appKey(host: string, installationId: number): string {
  return `${APP_KEY_PREFIX}${JSON.stringify([host, installationId])}`;
}

function parseAppKey(key: string): { host: string; installationId: number } | null {
  if (!key.startsWith(APP_KEY_PREFIX)) return null;
  const [host, installationId] = JSON.parse(key.slice(APP_KEY_PREFIX.length)) as [string, number];
  return { host, installationId };
}
