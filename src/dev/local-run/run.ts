import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readRefreshEnv } from '../../system/from-env.ts';
import { describeError } from '../../domain/errors.ts';
import { loadTemplate } from '../template.ts';
import type { LocalRunOptions } from './args.ts';
import { bringUpEnvironment, type Environment } from './environment.ts';
import { startRefreshLoop, type TickReport } from './executor.ts';
import { planIncidents, type Incidents } from './incidents.ts';
import type { ProgressView } from './progress-view.ts';
import type { FunctionUrlEvent, FunctionUrlResponse } from '../../webhooks/receive.ts';
import { startFunctionUrlServer, type FunctionUrlServer } from '../function-url-server.ts';
import { ChangeFeed, pathQuantiles, type FeedEntry } from './change-feed.ts';
import { loadFunction, loadRefreshFunction } from './refresh-function.ts';
import { scanRows, takeCensus, type Census } from './row-census.ts';
import { quantile, RowTracker } from './row-tracker.ts';
import { addTick, createRateMeter, emptyTotals, hostCounters } from './run-totals.ts';
import { seedTables, type Seeded } from './seeding.ts';
import { startSimulatedHost, type SimulatedHost } from './simulated-host.ts';
import { buildSummary, type RunSummary } from './summary.ts';
import { startWebhookSender, type WebhookSender } from './webhook-sender.ts';

/** The secret the simulated host signs its deliveries with (the receiver gets it as WEBHOOK_SECRETS). */
const LOCAL_WEBHOOK_SECRET = 'gitsync-local-run-webhook-secret';

export interface RunIo {
  view: ProgressView;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  stopRequested: Promise<void>;
}

/**
 * One local run: bring up DynamoDB (and the simulated host, seeded), run the refresh loop for
 * the duration or until asked to stop, then tear everything down and return the summary.
 */
export async function runLocal(options: LocalRunOptions, io: RunIo): Promise<RunSummary> {
  const startedAt = Date.now();
  let env: Environment | undefined;
  let host: SimulatedHost | undefined;
  let receiver: FunctionUrlServer | undefined;
  let sender: WebhookSender | undefined;
  try {
    const template = loadTemplate();
    env = await bringUpEnvironment(options, process.env);
    host = options.simulate ? await startSimulatedHost(options.seed, options.host, { githubApp: options.githubApp }) : undefined;
    // The handler reads its settings from the environment, as it does in Lambda.
    const functionEnv = {
      ...env.handlerEnv,
      ...(host ? { GIT_PROVIDERS: host.gitProviders, WEBHOOK_SECRETS: JSON.stringify({ [host.provider.host]: LOCAL_WEBHOOK_SECRET }) } : {}),
    };
    const invoke = await loadRefreshFunction(template, 'RefreshFunction', functionEnv);
    // A simulated host whose deliveries gitsync does not take yet sends none.
    const webhooksOn = host !== undefined && options.webhookShare > 0 && host.sim.dialect.delivery !== undefined;
    // The webhook function behind a function URL on 127.0.0.1, as deployed behind its URL.
    const invokeWebhook = webhooksOn
      ? await loadFunction<FunctionUrlEvent, FunctionUrlResponse>(template, 'WebhookFunction', functionEnv)
      : undefined;
    const { shardCount } = readRefreshEnv(process.env).settings;

    const seeded = host
      ? await seedTables(host, { doc: env.doc, tableName: env.tableName, tokensTableName: env.tokensTableName, shardCount }, options.rows, options.seed, startedAt)
      : undefined;
    const owners = seeded ? new Set(Object.keys(seeded.tokens)) : await ownersWithToken(env);
    const firstRows = await scanRows(env.doc, env.tableName);
    // With the App, a row on an account it is installed on has a token whatever its owner linked.
    const appCovers = (origin: string | undefined) => host?.appAccounts?.has(accountOfOrigin(origin)) ?? false;
    const rowsWithToken = new Set(
      firstRows.filter((r) => (r.ownerId !== undefined && owners.has(r.ownerId)) || appCovers(r.gitRemoteOrigin)).map((r) => r.chatId),
    );
    if (seeded) io.view.note(describeSeeding(options, seeded, host!, env));

    const loopStartedAt = Date.now();
    const tracker = new RowTracker(loopStartedAt);
    tracker.observe(firstRows, Date.now());
    const incidents: Incidents | undefined = host && seeded ? planIncidents(host, seeded, options.faults) : undefined;
    const totals = emptyTotals();
    let census: Census = takeCensus(firstRows, Date.now());
    const refreshRate = createRateMeter(60_000);
    refreshRate(loopStartedAt, 0);
    const feed = new ChangeFeed();
    feed.observe(firstRows);

    const observeNow = async (): Promise<void> => {
      const now = Date.now();
      const rows = await scanRows(env!.doc, env!.tableName, now);
      census = takeCensus(rows, now);
      tracker.observe(rows, now);
      for (const entry of feed.observe(rows)) io.view.note(describeEntry(entry, now - loopStartedAt));
      for (const line of incidents?.check(tracker.refreshedRows()) ?? []) io.view.note(line);
      io.view.update({
        elapsedMs: now - loopStartedAt,
        durationMs: options.durationS * 1000,
        census,
        totals,
        refreshRate: refreshRate(now, totals.refreshed),
        host: host ? hostCounters(host.sim.stats.snapshot()) : null,
      });
    };
    // Ticks and webhook deliveries both trigger a census; one at a time, in order.
    let observing = Promise.resolve();
    const observe = (): Promise<void> => (observing = observing.then(observeNow, observeNow));

    if (invokeWebhook && host) {
      receiver = await startFunctionUrlServer(invokeWebhook);
      sender = startWebhookSender({
        sim: host.sim,
        receiverUrl: receiver.url,
        secret: LOCAL_WEBHOOK_SECRET,
        share: options.webhookShare,
        seed: options.seed,
        feed,
        onDelivered: () => void observe().catch(() => {}),
      });
      io.view.note(`webhooks: the simulated host sends a signed delivery for ${Math.round(options.webhookShare * 100)}% of its changes to ${receiver.url}`);
    } else if (host && options.webhookShare > 0) {
      io.view.note(`webhooks: the simulated ${host.sim.dialect.type} host sends none (its dialect renders no deliveries): polling only`);
    }

    const loop = startRefreshLoop({
      template,
      stateMachine: 'RefreshLoop',
      speed: options.speed,
      invoke,
      onTick: async (report: TickReport) => {
        addTick(totals, report.summary);
        await observe();
      },
      onFailure: (err) => {
        totals.failedTicks += 1;
        io.view.note(`tick failed: ${describeError(err)}`);
      },
    });

    const stoppedBy = await Promise.race([
      io.stopRequested.then(() => 'signal' as const),
      ...(options.durationS > 0 ? [new Promise<'duration'>((r) => setTimeout(r, options.durationS * 1000, 'duration').unref())] : []),
    ]);
    await loop.stop();
    await sender?.stop();
    await observe();
    io.view.end();

    const samples = tracker.latenessSamples();
    return buildSummary({
      mode: host ? 'simulated' : 'real-hosts',
      setupMs: loopStartedAt - startedAt,
      durationMs: Date.now() - loopStartedAt,
      speed: options.speed,
      stoppedBy,
      census,
      rowsWithToken,
      refreshedRows: tracker.refreshedRows(),
      totals,
      p50: quantile(samples, 0.5),
      p99: quantile(samples, 0.99),
      latencySamples: samples.length,
      host: host ? hostCounters(host.sim.stats.snapshot()) : null,
      app: host?.sim.app ? { mints: host.sim.app.stats.mints, installations: Object.keys(host.sim.app.stats.mintsByInstallation).length } : null,
      webhooks: sender
        ? {
            ...sender.counts(),
            all: pathQuantiles(feed.samples()),
            webhook: pathQuantiles(feed.samples('webhook')),
            polling: pathQuantiles(feed.samples('polling')),
          }
        : null,
    });
  } finally {
    await sender?.stop();
    await receiver?.close();
    await host?.sim.close();
    await env?.close();
  }
}

/** One feed line: which chat, what changed, by which path, how long after the change. */
function describeEntry(e: FeedEntry, elapsedMs: number): string {
  const s = Math.floor(elapsedMs / 1000);
  const at = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return `[${at}] change ${e.chatId}: ${e.what} (${e.path}, ${(e.afterChangeMs / 1000).toFixed(1)} s after the change)`;
}

function describeSeeding(options: LocalRunOptions, seeded: Seeded, host: SimulatedHost, env: Environment): string {
  return (
    `seeded ${seeded.rows.length} rows for ${Object.keys(seeded.tokens).length + seeded.ownersWithoutToken.length} owners ` +
    `(no token: ${seeded.ownersWithoutToken.join(', ') || 'none'}) on the simulated host ${host.sim.url}; ` +
    `DynamoDB ${env.kind === 'embedded' ? `Local at ${env.endpoint}` : env.endpoint ?? 'on AWS'}, table ${env.tableName}; ` +
    `speed ${options.speed}x`
  );
}

/** Owners with a token item, for rows already in real tables. */
async function ownersWithToken(env: Environment): Promise<Set<string>> {
  const owners = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await env.doc.send(
      new ScanCommand({ TableName: env.tokensTableName, ProjectionExpression: 'ownerId', ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of out.Items ?? []) if (typeof item['ownerId'] === 'string') owners.add(item['ownerId']);
    start = out.LastEvaluatedKey;
  } while (start);
  return owners;
}

/** The first path segment of an origin (the account on GitHub), lower-case; '' when it has none. */
function accountOfOrigin(origin: string | undefined): string {
  const path = /^[a-z]+:\/\/[^/]+\/([^/]+)\//i.exec(origin ?? '')?.[1];
  return path?.toLowerCase() ?? '';
}
