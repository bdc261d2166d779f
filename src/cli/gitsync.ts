import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { accessOf } from '../aws/access.ts';
import { RefreshError, describeError } from '../domain/errors.ts';
import type { PullRequestStatus } from '../domain/row.ts';
import { GIT_PROVIDERS_ENV, parseProviderConfigs } from '../providers/config.ts';
import { GitHubAppClient } from '../providers/github/app/app-client.ts';
import { appKeySource, readKeySecretOrFile } from '../providers/github/app/app-key-source.ts';
import { createHttpAgent, type HttpAgent } from '../providers/http/agent.ts';
import type { ProviderConfig } from '../providers/provider-config.ts';
import { systemClock } from '../domain/clock.ts';
import { RowConditionalCache } from '../refresh/conditional-cache.ts';
import type { GitProvider, ProviderCallContext, PullRequestRef } from '../providers/provider.ts';
import { PROVIDER_TYPES, providerType } from '../providers/provider-types.ts';
import { createProviderRegistry, type ConfiguredProviderRegistry } from '../providers/registry.ts';
import { RowNotFoundError } from '../ops/refresh-now.ts';
import { readRefreshEnv, readTableEnv, systemFromEnv } from '../system/from-env.ts';
import { optional } from '../config/env.ts';
import { explainRow } from '../ops/why.ts';
import { DynamoRowInspector } from '../store/row-inspector.ts';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `usage:
  gitsync pr <pull-or-merge-request-url> [--token-env VAR]
  gitsync branch <origin> <branch> [--token-env VAR]
  gitsync refresh <chatId>
  gitsync why <chatId> [--json]
Providers come from ${GIT_PROVIDERS_ENV}; the token from --token-env (default ${PROVIDER_TYPES.map((t) => t.tokenEnv).join(' or ')}).
refresh refreshes one chat's row now in the configured tables (TABLE_NAME, TOKENS_TABLE_NAME,
HTTP_CACHE_TABLE_NAME and the functions' other variables; the token from the tokens table) and prints the row after.
why says why a chat's row is (not) fresh: its next refresh, last check and outcome, backoff,
shard lease, webhook deliveries and HTTP cache (TABLE_NAME, DELIVERIES_TABLE_NAME, HTTP_CACHE_TABLE_NAME,
GIT_PROVIDERS; reads only).`;

/** Operator check of one row: prints the status the worker would store. Returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { 'token-env': { type: 'string' }, help: { type: 'boolean' }, json: { type: 'boolean' } } });
  } catch (err) {
    io.stderr(`gitsync: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...args] = parsed.positionals;
  if (parsed.values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const arity = command === 'pr' || command === 'refresh' || command === 'why' ? 1 : command === 'branch' ? 2 : -1;
  if (arity < 0 || args.length !== arity) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  const agent = createHttpAgent();
  try {
    if (command === 'refresh') return await refreshRow(args[0]!, io, agent);
    if (command === 'why') return await whyRow(args[0]!, io, parsed.values.json === true);
    const configs = parseProviderConfigs(io.env[GIT_PROVIDERS_ENV]);
    const registry = createProviderRegistry(configs, { dispatcher: agent });
    const target = command === 'pr' ? forUrl(registry, args[0]!) : forBranch(registry, args[0]!);
    const ctx: ProviderCallContext = {
      token: await tokenFor(target, configs, parsed.values['token-env'], io.env, agent),
      signal: systemClock.abortAfter(30_000),
      cache: new RowConditionalCache(undefined),
      truncated: ({ what, pages }) => io.stderr(`gitsync: warning: ${what}: more pages than maxPages (${pages}); only ${pages} of them were read\n`),
    };
    const ref = target.ref ?? (await target.provider.resolveBranchPullRequest(target.repo, args[1]!, ctx));
    if (!ref) {
      io.stderr(`gitsync: no open pull request for branch ${JSON.stringify(args[1])}\n`);
      io.stdout('null\n');
      return 0;
    }
    const status: PullRequestStatus = await target.provider.fetchPullRequestStatus(ref, ctx);
    io.stdout(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  } catch (err) {
    io.stderr(`gitsync: ${describe(err)}\n`);
    return 1;
  } finally {
    await agent.close();
  }
}

/** `gitsync refresh <chatId>`: the library's refreshNow against the configured tables; prints the stored row after. */
async function refreshRow(chatId: string, io: CliIo, agent: HttpAgent): Promise<number> {
  const system = systemFromEnv(readRefreshEnv(io.env), { dispatcher: agent });
  try {
    const refreshed = await system.refreshNow(chatId, 30_000);
    if (!refreshed) io.stderr(`gitsync: no open pull request for the branch of chat ${JSON.stringify(chatId)} yet\n`);
    // Without a PR the row is printed as stored (its schedule untouched).
    io.stdout(`${JSON.stringify(refreshed ?? (await system.store.getRow(chatId)), null, 2)}\n`);
    return 0;
  } finally {
    system.close();
  }
}

/** `gitsync why <chatId>`: reads the row, its shard's lease and its host's last delivery, and explains them. */
async function whyRow(chatId: string, io: CliIo, json: boolean): Promise<number> {
  const config = readTableEnv(io.env);
  config.settings.gitProviders = parseProviderConfigs(io.env[GIT_PROVIDERS_ENV]);
  const system = systemFromEnv(config);
  try {
    const inspector = new DynamoRowInspector({
      doc: system.doc,
      tableName: config.settings.tableName,
      deliveriesTableName: optional(io.env, 'DELIVERIES_TABLE_NAME'),
      httpCacheTableName: optional(io.env, 'HTTP_CACHE_TABLE_NAME'),
    });
    const facts = await inspector.inspect(chatId, (origin) => system.registry.forOrigin(origin)?.provider.host);
    const answer = explainRow(facts, system.clock.now());
    if (json) io.stdout(`${JSON.stringify({ chatId, ...answer, row: facts.row, shard: facts.shard ?? null, hostDelivery: facts.hostDelivery ?? null }, null, 2)}\n`);
    else io.stdout(`chat ${JSON.stringify(chatId)}: ${answer.summary}\n${answer.details.map((line) => `  ${line}\n`).join('')}`);
    return answer.verdict === 'not_found' ? 1 : 0;
  } finally {
    system.close();
  }
}

type Target = { provider: GitProvider; ref: PullRequestRef; repo?: undefined } | { provider: GitProvider; ref?: undefined; repo: PullRequestRef['repo'] };

function forUrl(registry: ConfiguredProviderRegistry, url: string): Target {
  const found = registry.forPullRequestUrl(url);
  if (!found) throw new CliError('not a pull / merge request URL of a configured provider');
  return found;
}

function forBranch(registry: ConfiguredProviderRegistry, origin: string): Target {
  const found = registry.forOrigin(origin);
  if (!found) throw new CliError('the origin is not a repository of a configured provider');
  return found;
}

/**
 * The token variable's value; without one, on a host configured with a GitHub App, a fresh
 * installation token for the repository's account (this process's own: nothing is shared).
 */
async function tokenFor(target: Target, configs: readonly ProviderConfig[], tokenEnv: string | undefined, env: CliIo['env'], agent: HttpAgent): Promise<string> {
  const { provider } = target;
  const name = tokenEnv ?? providerType(provider.type)?.tokenEnv;
  const token = name ? env[name] : undefined;
  if (token) return token;
  const config = configs.find((c) => c.host === provider.host);
  if (tokenEnv === undefined && config?.app) {
    const app = new GitHubAppClient({
      apiUrl: config.apiUrl,
      appId: config.app.appId,
      // Secrets Manager with the SDK's default region and credentials, as the functions read it.
      key: appKeySource(config.app, (app) => readKeySecretOrFile(app, accessOf(new DynamoDBClient({}), agent))),
      dispatcher: agent,
      clock: systemClock,
      rateLimitHeaders: providerType(provider.type)!.rateLimitHeaders,
    });
    const repo = target.ref?.repo ?? target.repo!;
    const [owner = '', name = ''] = repo.path.split('/');
    const signal = systemClock.abortAfter(30_000);
    const installation = await app.installationFor(owner, name, signal);
    if (installation === null) throw new CliError(`the GitHub App ${config.app.appId} is not installed on ${owner}: set ${tokenEnvName(provider)} for ${provider.host}`);
    const minted = await app.mint(installation, signal);
    if (!minted) throw new CliError(`the GitHub App ${config.app.appId}'s installation on ${owner} is gone`);
    return minted.token;
  }
  if (!name) throw new CliError(`no token: set --token-env VAR for ${provider.host}`);
  throw new CliError(`no token: set ${name} for ${provider.host}`);
}

function tokenEnvName(provider: GitProvider): string {
  return providerType(provider.type)?.tokenEnv ?? '--token-env VAR';
}

class CliError extends Error {}

function describe(err: unknown): string {
  if (err instanceof RefreshError) return `${err.kind}: ${err.message}`;
  if (err instanceof Error && (err instanceof CliError || err instanceof RowNotFoundError || err.name === 'ProviderConfigError' || err.name === 'ConfigError')) {
    return err.message;
  }
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out after 30 s';
  return describeError(err);
}
