import type { GitHubAppConfig } from './github/app/app-config.ts';
/** One configured git host, normalized (parsed from `GIT_PROVIDERS` by `config.ts`). */
export interface ProviderConfig {
  /** The `name` of its provider type ("github"). */
  type: string;
  /** Scheme + host (+ port), no trailing slash: "https://github.example.com"; a context path where the type allows one ("https://host/bitbucket"). */
  webUrl: string;
  /** Base of the REST API, no trailing slash. */
  apiUrl: string;
  /** `hostKey` of webUrl: what origins and PR URLs must match exactly. */
  host: string;
  /**
   * Most pages of one list read per refresh (GitHub reviews, GitLab reviewers and diffs; 100
   * items a page). Entry field `maxPages`, 1 to 100, default `DEFAULT_MAX_PAGES` (config.ts). A longer
   * list is read in part, logged and counted (`TruncatedLists`).
   */
  maxPages: number;
  /** `"webhooks": true`: the host sends webhooks, so its open PRs always poll at the safety cadence. Default false. */
  webhooks?: boolean;
  /** `"app"`: a GitHub App gitsync acts as on this host (types with `parseApp` only). */
  app?: GitHubAppConfig;
}

