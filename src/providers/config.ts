import type { GitHubAppConfig } from './github/app/app-config.ts';
import { hostKey, isLoopbackHostname } from './host.ts';
import type { ProviderType } from './provider-type.ts';
import type { ProviderConfig } from './provider-config.ts';
import { PROVIDER_TYPES, providerType } from './provider-types.ts';

/** 10 pages of 100: lists beyond 1,000 are rare, and each page costs a request (a 304 when unchanged). */
export const DEFAULT_MAX_PAGES = 10;

export const GIT_PROVIDERS_ENV = 'GIT_PROVIDERS';

/** Each provider type's public service (github.com, gitlab.com, bitbucket.org, dev.azure.com). */
export const DEFAULT_PROVIDERS: readonly ProviderConfig[] = PROVIDER_TYPES.flatMap(({ name, publicHost }) =>
  publicHost ? [{ type: name, ...publicHost, host: hostKey(new URL(publicHost.webUrl)), maxPages: DEFAULT_MAX_PAGES }] : [],
);

/** The configuration cannot be used; the message names the variable and the entry. */
export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(`${GIT_PROVIDERS_ENV}: ${message}`);
    this.name = 'ProviderConfigError';
  }
}

/** Parses `GIT_PROVIDERS` (a JSON array); unset or blank means the public services (`DEFAULT_PROVIDERS`). */
export function parseProviderConfigs(raw: string | undefined): ProviderConfig[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_PROVIDERS];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ProviderConfigError('is not valid JSON (expected an array of {"type", "webUrl", "apiUrl"?, "maxPages"?, "webhooks"?})');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ProviderConfigError('must be a non-empty JSON array of {"type", "webUrl", "apiUrl"?, "maxPages"?, "webhooks"?}');
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
  const { type, webUrl, apiUrl, maxPages, webhooks, app } = entry as Record<string, unknown>;
  if (webhooks !== undefined && typeof webhooks !== 'boolean') throw new ProviderConfigError(`${where} webhooks must be true or false`);
  const known = typeof type === 'string' ? providerType(type) : undefined;
  if (!known) {
    const names = PROVIDER_TYPES.map((t) => JSON.stringify(t.name)).join(' or ');
    throw new ProviderConfigError(`${where} has unknown type ${JSON.stringify(type)} (expected ${names})`);
  }
  const web = parseBaseUrl(webUrl, `${where} webUrl`);
  if (web.pathname !== '/' && !known.contextPath) {
    throw new ProviderConfigError(`${where} webUrl must be scheme and host only, without a path`);
  }
  if (!/^(\/[A-Za-z0-9_.~-]+)*\/?$/.test(web.pathname) || web.pathname.split('/').some((s) => s === '.' || s === '..')) {
    throw new ProviderConfigError(`${where} webUrl has a malformed context path`);
  }
  const webBase = trimSlash(`${web.origin}${web.pathname}`);
  const api =
    apiUrl === undefined ? known.defaultApiUrl(webBase) : trimSlash(parseBaseUrl(apiUrl, `${where} apiUrl`).href);
  return {
    type: known.name,
    webUrl: webBase,
    apiUrl: api,
    host: hostKey(web),
    maxPages: parseMaxPages(maxPages, where),
    ...(webhooks ? { webhooks } : {}),
    ...(app !== undefined ? { app: parseApp(known, app, where) } : {}),
  };
}

function parseApp(type: ProviderType, value: unknown, where: string): GitHubAppConfig {
  const fail = (message: string): never => {
    throw new ProviderConfigError(`${where} ${message}`);
  };
  return type.parseApp ? type.parseApp(value, fail) : fail(`of type ${JSON.stringify(type.name)} cannot have an app`);
}

function parseMaxPages(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_MAX_PAGES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw new ProviderConfigError(`${where} maxPages must be an integer from 1 to 100, got ${JSON.stringify(value)}`);
  }
  return value;
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
