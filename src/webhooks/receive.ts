import { lambdaEnd, refreshDeadline } from '../loop/deadline.ts';
import { describeError } from '../domain/errors.ts';
import { silentLog } from '../domain/log.ts';
import type { ProviderConfig } from '../providers/provider-config.ts';
import type { ProviderRegistry } from '../providers/provider.ts';
import type { InstallationEvents } from '../tokens/installation-events.ts';
import type { TickDeps } from '../refresh/tick.ts';
import type { DeliveryLog, PageKey, WebhookRowStore } from '../store/dynamo-webhook-store.ts';
import { repoBranchKey } from '../store/repo-branch-key.ts';
import { applyBranchChange, type ApplyResult, type BranchChange } from './apply.ts';
import { authenticateDelivery } from './authenticate.ts';
import type { WebhookSecretSource } from './secrets.ts';

/** The part of a Lambda function URL event (payload format 2.0) the receiver reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export interface FunctionUrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** GitHub caps payloads at 25 MB; the events gitsync uses are far below 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type DeliveryOutcome =
  | 'processed'
  | 'duplicate'
  | 'ping'
  | 'ignored'
  | 'refused'
  | 'invalid'
  | 'too_large'
  | 'method_not_allowed'
  | 'failed';

/** What one delivery did: the HTTP answer and the figures for metrics and logs. */
export interface DeliveryReport {
  response: FunctionUrlResponse;
  outcome: DeliveryOutcome;
  /** Event name for metrics (`pull_request`, `push`, `merge_request`, ...; `unknown` before verification). */
  event: string;
  host?: string;
  deliveryId?: string;
  /** Why the delivery was refused, ignored or invalid. */
  reason?: string;
  applied?: ApplyResult;
}

export interface ReceiverDeps extends TickDeps {
  /** Absent: no host has a GitHub App, and its installation events are ignored. */
  installations?: InstallationEvents;
  providers: readonly ProviderConfig[];
  registry: ProviderRegistry;
  secrets: WebhookSecretSource;
  deliveries: DeliveryLog;
  rows: WebhookRowStore;
  /**
   * Hands the rows a delivery did not reach by its deadline on to another invocation (on AWS
   * an asynchronous invoke of the function itself). Absent: those rows keep their polling cadence.
   */
  handOn?: (continuation: Continuation) => Promise<void>;
}

/** The rest of a delivery's rows, from index page `after` on, to be stamped and made due. */
export interface Continuation {
  change: BranchChange;
  after: PageKey;
}

/** The field a continuation event carries it in (a function-URL event never has it at the top level). */
export const CONTINUATION_FIELD = 'gitsyncWebhookContinuation';

export interface ReceiverOptions {
  /** Time a delivery may spend on rows; GitHub gives up after 10 s. */
  budgetMs: number;
  refreshRows: number;
  writeConcurrency: number;
  leaseMs: number;
  pageSize: number;
  /** Lambda time kept back before its end. */
  safetyMarginMs: number;
  /** The Lambda's time left, when in one: the budget never runs past it (less the margin). */
  remainingMs?: () => number;
}

/**
 * One delivery, in this order: size (413), authentication of the raw body against every
 * configured host's secrets (401; nothing is parsed before), JSON and fields (400), the
 * repository's host against the verifying one (403), deduplication by delivery id, then the
 * rows. A failure after deduplication forgets the delivery id and answers 500, so a
 * redelivery is processed.
 */
export async function receiveDelivery(
  deps: ReceiverDeps,
  event: FunctionUrlEvent,
  options: ReceiverOptions,
): Promise<DeliveryReport> {
  const receivedAt = deps.clock.now();
  const headers = lowerCaseHeaders(event.headers);
  const method = event.requestContext?.http?.method;
  if (method !== undefined && method.toUpperCase() !== 'POST') {
    return report(405, 'method_not_allowed', 'unknown', { reason: 'only POST is accepted' });
  }
  const raw = event.body ?? '';
  // Checked on the encoded size first, so a huge body is neither decoded nor hashed.
  const encodedLimit = event.isBase64Encoded ? Math.ceil(MAX_BODY_BYTES / 3) * 4 : MAX_BODY_BYTES;
  if (raw.length > encodedLimit) return report(413, 'too_large', 'unknown', { reason: 'body over 1 MiB' });
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > MAX_BODY_BYTES) return report(413, 'too_large', 'unknown', { reason: 'body over 1 MiB' });

  // Which host type sent it is read from the headers; each type says how it signs and names deliveries.
  const sender = authenticateDelivery(headers, body, deps.providers, await deps.secrets.get());
  if (!sender) {
    return report(401, 'refused', 'unknown', { reason: 'missing or wrong signature or token' });
  }
  const { type } = sender;
  // Hosts that share a secret (`"*"`) all verify it: until the repository says which one sent
  // it, the delivery is a host's own only when one secret fits.
  const sole = sender.providers.length === 1 ? sender.providers[0] : undefined;
  const payload = jsonBody(body);
  const { event: eventName, deliveryId } = type.webhook.identify(headers, payload);
  const base = { ...(sole ? { host: sole.host } : {}), ...(deliveryId ? { deliveryId } : {}) };
  if (payload === undefined) return report(400, 'invalid', eventName, { ...base, reason: 'the body is not JSON' });
  const parsed = type.webhook.parse(headers, payload);
  if (parsed.kind === 'invalid') return report(400, 'invalid', eventName, { ...base, reason: parsed.reason });
  if (parsed.kind === 'ping' || parsed.kind === 'ignored') {
    if (sole) await noteHost(deps, sole.host, receivedAt);
    return parsed.kind === 'ping' ? report(200, 'ping', eventName, base) : report(202, 'ignored', eventName, { ...base, reason: parsed.reason });
  }
  if (parsed.kind === 'installation') {
    if (!deps.installations) return report(202, 'ignored', eventName, { ...base, reason: 'no GitHub App is configured' });
    // An installation event names no repository: with a shared secret, whose it is is unknown.
    if (!sole) return report(202, 'ignored', eventName, { ...base, reason: 'several hosts share the secret; an installation event does not say which sent it' });
    await noteHost(deps, sole.host, receivedAt);
    const { madeDue } = await deps.installations.changed(sole.host, parsed.accounts, parsed.installationId, receivedAt);
    (deps.log ?? silentLog).info('webhook: GitHub App installation changed', { ...base, installed: parsed.installationId !== null, madeDue });
    return report(200, 'processed', eventName, base);
  }

  const found = deps.registry.forOrigin(parsed.repoUrl);
  const provider = found && sender.providers.find((p) => p.host === found.provider.host);
  if (!found || !provider) {
    return report(403, 'refused', eventName, { ...base, reason: 'the repository is not on the host whose secret signed the delivery' });
  }
  await noteHost(deps, provider.host, receivedAt);
  const key = repoBranchKey(parsed.repoUrl, parsed.branch);
  const own = { ...base, host: provider.host };
  if (!key) return report(400, 'invalid', eventName, { ...own, reason: 'the repository or branch cannot be indexed' });

  const deliveryKey = deliveryId ? `${provider.host} ${deliveryId}` : undefined;
  if (deliveryKey && !(await deps.deliveries.firstSeen(deliveryKey, receivedAt))) {
    return report(200, 'duplicate', eventName, own);
  }
  try {
    const change = { host: provider.host, repo: found.repo, branch: parsed.branch, key, receivedAt };
    const applied = await applyAndHandOn(deps, change, options, undefined);
    // A push of several branches (Bitbucket): the others' rows are made due for the loop, in what is left of the budget.
    for (const branch of parsed.otherBranches ?? []) {
      const otherKey = repoBranchKey(parsed.repoUrl, branch);
      if (!otherKey) continue;
      const budgetMs = Math.max(0, options.budgetMs - (deps.clock.now() - receivedAt));
      addMadeDue(applied, await applyAndHandOn(deps, { ...change, branch, key: otherKey }, { ...options, budgetMs, refreshRows: 0 }, undefined));
    }
    if (applied.unwritten === 0) return report(200, 'processed', eventName, { ...own, applied });
    (deps.log ?? silentLog).error('webhook: delivery failed: refreshed rows could not be written', { ...own, unwritten: applied.unwritten });
    return await failed(applied);
  } catch (err) {
    (deps.log ?? silentLog).error('webhook: delivery failed', { ...own, error: describeError(err) });
    return await failed(undefined);
  }

  async function failed(applied: ApplyResult | undefined): Promise<DeliveryReport> {
    if (deliveryKey) await deps.deliveries.forget(deliveryKey).catch(() => {});
    return report(500, 'failed', eventName, { ...own, reason: 'the rows could not be updated; redeliver later', ...(applied ? { applied } : {}) });
  }
}

/**
 * A continuation event: the rest of a delivery's rows. It comes only from the function itself
 * (an IAM-authorized invoke, never through the URL), and is checked like any input anyway.
 */
export async function continueDelivery(deps: ReceiverDeps, event: unknown, options: ReceiverOptions): Promise<ApplyResult> {
  const continuation = parseContinuation(event);
  const { change } = continuation;
  const found = deps.providers.find((p) => p.host === change.host);
  if (!found || repoBranchKey(`${found.webUrl}/${change.repo.path}`, change.branch) !== change.key) {
    throw new Error('webhook continuation: its repository, branch and key do not agree with the configuration');
  }
  return applyAndHandOn(deps, change, options, continuation.after);
}

async function applyAndHandOn(deps: ReceiverDeps, change: BranchChange, options: ReceiverOptions, after: PageKey | undefined): Promise<ApplyResult> {
  const now = deps.clock.now();
  const deadline = refreshDeadline({
    startedAt: now,
    budgetMs: options.budgetMs,
    safetyMarginMs: options.safetyMarginMs,
    lambdaEndsAt: lambdaEnd(now, options.remainingMs),
  });
  const applied = await applyBranchChange(deps, change, {
    deadline,
    refreshRows: options.refreshRows,
    writeConcurrency: options.writeConcurrency,
    leaseMs: options.leaseMs,
    pageSize: options.pageSize,
    ...(after ? { after } : {}),
  });
  if (applied.next) {
    const log = deps.log ?? silentLog;
    if (!deps.handOn) log.warn('webhook: rows left at the deadline keep their polling cadence (nothing to hand them on to)', { key: change.key });
    else await deps.handOn({ change, after: applied.next });
  }
  return applied;
}

/** Adds the rows another branch's change matched and made due (it refreshed none) to `total`. */
function addMadeDue(total: ApplyResult, other: ApplyResult): void {
  total.matched += other.matched;
  total.madeDue += other.madeDue;
  total.skipped += other.skipped;
  total.unwritten += other.unwritten;
}

function parseContinuation(event: unknown): Continuation {
  const c = (event as Record<string, unknown> | null)?.[CONTINUATION_FIELD] as Record<string, any> | undefined;
  const change = c?.change;
  const valid =
    typeof change?.host === 'string' &&
    typeof change.branch === 'string' &&
    typeof change.key === 'string' &&
    typeof change.receivedAt === 'number' &&
    typeof change.repo?.host === 'string' &&
    typeof change.repo?.path === 'string' &&
    typeof c?.after === 'object' &&
    c.after !== null;
  if (!valid) throw new Error('webhook continuation: malformed event');
  return c as unknown as Continuation;
}

async function noteHost(deps: ReceiverDeps, host: string, now: number): Promise<void> {
  // Best effort: it only relaxes polling (cadence), it must not fail a delivery.
  await deps.deliveries.recordHostDelivery(host, now).catch((err: unknown) => {
    (deps.log ?? silentLog).warn('webhook: could not record the host delivery', { host, error: describeError(err) });
  });
}

/** The body's JSON, or undefined when it is not JSON (no JSON text parses to undefined). */
function jsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function lowerCaseHeaders(headers: FunctionUrlEvent['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function report(
  statusCode: number,
  outcome: DeliveryOutcome,
  event: string,
  extra: Omit<DeliveryReport, 'response' | 'outcome' | 'event'>,
): DeliveryReport {
  const applied = extra.applied;
  const body = {
    outcome,
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(applied
      ? {
          matched: applied.matched,
          refreshed: applied.summary.refreshed,
          madeDue: applied.madeDue + applied.summary.released,
          skipped: applied.skipped,
          ...(applied.next ? { handedOn: true } : {}),
        }
      : {}),
  };
  return {
    response: { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    outcome,
    event,
    ...extra,
  };
}
