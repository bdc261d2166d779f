import { hostKey, isLoopbackHostname } from './host.ts';

export type ProviderType = 'github' | 'gitlab';

/** One configured git host, normalized. */
export interface ProviderConfig {
  type: ProviderType;
  /** Scheme + host (+ port), no trailing slash: "https://github.example.com". */
  webUrl: string;
  /** Base of the REST API, no trailing slash. */
  apiUrl: string;
  /** `hostKey` of webUrl: what origins and PR URLs must match exactly. */
  host: string;
  /** `"webhooks": true`: the host sends webhooks, so its open PRs always poll at the safety cadence. Default false. */
  webhooks?: boolean;
}

export const GIT_PROVIDERS_ENV = 'GIT_PROVIDERS';

export const DEFAULT_PROVIDERS: readonly ProviderConfig[] = [
  { type: 'github', webUrl: 'https://github.com', apiUrl: 'https://api.github.com', host: 'github.com' },
  { type: 'gitlab', webUrl: 'https://gitlab.com', apiUrl: 'https://gitlab.com/api/v4', host: 'gitlab.com' },
];

/** The configuration cannot be used; the message names the variable and the entry. */
export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(`${GIT_PROVIDERS_ENV}: ${message}`);
    this.name = 'ProviderConfigError';
  }
}

/** Parses `GIT_PROVIDERS` (a JSON array); unset or blank means github.com + gitlab.com. */
export function parseProviderConfigs(raw: string | undefined): ProviderConfig[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_PROVIDERS];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ProviderConfigError('is not valid JSON (expected an array of {"type", "webUrl", "apiUrl"?, "webhooks"?})');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ProviderConfigError('must be a non-empty JSON array of {"type", "webUrl", "apiUrl"?}');
  }
  const configs = parsed.map((entry, i) => parseEntry(entry, i));
  const seen = new Set<string>();
  for (const c of configs) {
    if (seen.has(c.host)) throw new ProviderConfigError(`host ${c.host} is configured more than once`);
    seen.add(c.host);
  }
  return configs;
}

function parseEntry(entry: unknown, index: number): ProviderConfig {
  const where = `entry ${index}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ProviderConfigError(`${where} must be an object`);
  }
  const { type, webUrl, apiUrl, webhooks } = entry as Record<string, unknown>;
  if (webhooks !== undefined && typeof webhooks !== 'boolean') throw new ProviderConfigError(`${where} webhooks must be true or false`);
  if (type !== 'github' && type !== 'gitlab') {
    throw new ProviderConfigError(`${where} has unknown type ${JSON.stringify(type)} (expected "github" or "gitlab")`);
  }
  const web = parseBaseUrl(webUrl, `${where} webUrl`);
  if (web.pathname !== '/') {
    throw new ProviderConfigError(`${where} webUrl must be scheme and host only, without a path`);
  }
  const webBase = trimSlash(web.origin);
  const api =
    apiUrl === undefined ? defaultApiUrl(type, webBase) : trimSlash(parseBaseUrl(apiUrl, `${where} apiUrl`).href);
  return { type, webUrl: webBase, apiUrl: api, host: hostKey(web), ...(webhooks ? { webhooks } : {}) };
}

function defaultApiUrl(type: ProviderType, webUrl: string): string {
  if (type === 'github') return webUrl === 'https://github.com' ? 'https://api.github.com' : `${webUrl}/api/v3`;
  return `${webUrl}/api/v4`;
}

function parseBaseUrl(value: unknown, what: string): URL {
  if (typeof value !== 'string' || value.trim() === '') throw new ProviderConfigError(`${what} must be a URL string`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ProviderConfigError(`${what} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.username || url.password) throw new ProviderConfigError(`${what} must not contain credentials`);
  if (url.search || url.hash) throw new ProviderConfigError(`${what} must not have a query or fragment`);
  // Tokens travel in headers: plain http is only acceptable on the machine itself.
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname));
  if (!secure) throw new ProviderConfigError(`${what} must use https (http only for loopback)`);
  return url;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
