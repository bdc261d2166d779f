import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import pLimit from 'p-limit';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { pullRequestDelivery } from '../../src/dev/git-host-sim/webhook-json.ts';
import { nearestRank } from '../../src/dev/nearest-rank.ts';
import { createTableInput } from '../../src/dev/template.ts';
import { githubDeliveryEvent } from '../../src/dev/webhook-request.ts';
import { systemClock } from '../../src/domain/clock.ts';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import type { FunctionUrlResponse } from '../../src/webhooks/receive.ts';
import { readWebhookEnv, webhookReceiverFromEnv } from '../../src/system/webhook-from-env.ts';
import type { CapacityMeter, CapacityTotals } from '../capacity-meter.ts';
import { createWorld, localDocClient } from '../world.ts';

const SECRET = 'bench-webhook-secret';
/** The function's timeout in template.yaml: what `getRemainingTimeInMillis` counts down from. */
const TIMEOUT_MS = 10_000;

let runs = 0;

export interface WebhooksResult {
  deliveries: number;
  /** Deliveries in flight at once (bursts of changes). */
  concurrency: number;
  latencyMs: number;
  /** Receipt of the delivery to the row holding the change (its `refreshedAt`), over every delivery. */
  deliveryToRowP50Ms: number;
  deliveryToRowP99Ms: number;
  deliveryToRowMaxMs: number;
  /** Time to the function's answer (what GitHub waits for; at most 10 s), and so its billed duration. */
  answerP50Ms: number;
  answerP99Ms: number;
  /** Rows whose stored status was not the change's after the answer (must be 0). */
  staleAfterAnswer: number;
  /**
   * With `meter`: what DynamoDB reported (ReturnConsumedCapacity) for the measured deliveries'
   * calls, per delivery, by operation and table (`diff-status`, `tokens`, `deliveries`).
   */
  unitsPerDelivery?: CapacityTotals;
}

/**
 * Each delivery follows a change on the simulated GitHub (100 ms per request): a push to an
 * open PR, then the signed `pull_request` delivery goes through the real webhook handler
 * (`src/handler/webhook.ts`, wired from its environment like on Lambda) against DynamoDB Local.
 * Measured: delivery received -> the row's write-back with the new size.
 */
export async function webhooks(
  endpoint: string,
  options: { deliveries: number; concurrency: number; latencyMs?: number; meter?: CapacityMeter },
): Promise<WebhooksResult> {
  // The simulated host's answer time per request; 0 measures the function's own work alone (the cost section).
  const latencyMs = options.latencyMs ?? 100;
  const world = await createWorld({
    endpoint,
    clock: systemClock,
    rows: options.deliveries,
    owners: Math.max(1, Math.floor(options.deliveries / 10)),
    shardCount: 1,
    latencyMs,
    seed: 12,
    staleAt: () => Date.now() + 3_600_000,
    sim: { rates: { open: 0, review: 0, push: 0, draftToggle: 0, merge: 0, close: 0 } },
  });
  const doc = localDocClient(endpoint);
  // The handler reads its wiring from the environment; what this sets is put back afterwards, so
  // the rest of the bench (the cost section's own Powertools Metrics) does not run with metrics off.
  const saved = new Map<string, string | undefined>();
  const setEnv = (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values)) {
      if (!saved.has(name)) saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  };
  const restoreEnv = () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  const deliveriesTable = `${world.config.tableName}-deliveries`;
  await doc.send(new CreateTableCommand(createTableInput('WebhookDeliveriesTable', deliveriesTable)));
  try {
    const host = new URL(world.sim.url).host;
    setEnv({
      TABLE_NAME: world.config.tableName,
      TOKENS_TABLE_NAME: world.config.tokensTableName,
      HTTP_CACHE_TABLE_NAME: world.config.httpCacheTableName,
      DELIVERIES_TABLE_NAME: deliveriesTable,
      DYNAMODB_ENDPOINT: endpoint,
      GIT_PROVIDERS: world.config.gitProviders,
      WEBHOOK_SECRETS: JSON.stringify({ [host]: SECRET }),
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    // Imported after the environment is set, as Lambda loads the bundle in a configured container.
    // A fresh module per run, as a fresh container: the handler wires itself from the environment once,
    // and the cost section runs this scenario too, on other tables.
    const { handler: lambdaHandler } = (await import(`../../src/handler/webhook.ts?run=${++runs}`)) as typeof import('../../src/handler/webhook.ts');
    // Metered: the handler's own receiver (webhookReceiverFromEnv, the same environment) on a client
    // whose calls report their consumed capacity; the handler's reporting (logs, metrics) is the cost section's meter's.
    const metered = options.meter
      ? webhookReceiverFromEnv(readWebhookEnv(process.env), { instrumentDynamoDb: (client) => (options.meter!.attach(client), client) })
      : undefined;
    const handler = metered
      ? async (event: Parameters<typeof lambdaHandler>[0], ctx: Context) => (await metered.receive(event, () => ctx.getRemainingTimeInMillis())).response
      : lambdaHandler;
    const urls = { web: world.sim.url, api: world.sim.apiUrl };

    const openPulls = world.rows.flatMap((row) => {
      const [owner, name] = new URL(row.gitRemoteOrigin!).pathname.slice(1).replace(/\.git$/, '').split('/') as [string, string];
      const repo = world.sim.world.repo(owner, name)!;
      const pr = repo.pulls.get(repo.branches.get(row.gitBranch!)!.pulls[0]!)!;
      return pr.state === 'open' ? [{ row, repo, pr }] : [];
    });
    // A warm container: one delivery (not counted) has loaded the code paths and opened connections.
    const [warmUp, ...measured] = openPulls;
    if (!warmUp) throw new Error('the seeded world has no open pull request');
    const warmEvent = githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(warmUp.repo, warmUp.pr, urls, 'opened'), secret: SECRET });
    await handler(warmEvent, context(Date.now()));
    // Metered: each row takes one delivery first, so the measured ones meet rows as a running
    // deployment holds them (refreshed before, on their periodic slot), not as seeded (a one-off slot).
    if (options.meter) {
      for (const { repo, pr } of measured) {
        world.sim.world.push(pr, { additions: 1, deletions: 0, changedFiles: 1 }, world.sim.world.time);
        await handler(githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, urls, 'synchronize'), secret: SECRET }), context(Date.now()));
      }
    }
    options.meter?.reset();
    const toRow: number[] = [];
    const answers: number[] = [];
    let staleAfterAnswer = 0;
    const limit = pLimit(options.concurrency);
    await Promise.all(
      measured.map(({ row, repo, pr }) =>
        limit(async () => {
          world.sim.world.push(pr, { additions: 7, deletions: 1, changedFiles: 1 }, world.sim.world.time);
          const event = githubDeliveryEvent({ event: 'pull_request', payload: pullRequestDelivery(repo, pr, urls, 'synchronize'), secret: SECRET });
          const receivedAt = Date.now();
          const response = (await handler(event, context(receivedAt))) as FunctionUrlResponse;
          answers.push(Date.now() - receivedAt);
          if (response.statusCode !== 200) throw new Error(`delivery answered ${response.statusCode}: ${response.body}`);
          const out = await doc.send(new GetCommand({ TableName: world.config.tableName, Key: { chatId: row.chatId }, ConsistentRead: true }));
          const stored = out.Item as DiffStatusRow;
          if (stored.additions !== pr.additions || stored.refreshedAt === undefined) staleAfterAnswer += 1;
          else toRow.push(stored.refreshedAt - receivedAt);
        }),
      ),
    );
    const sorted = [...toRow].sort((a, b) => a - b);
    return {
      deliveries: measured.length,
      concurrency: options.concurrency,
      latencyMs,
      deliveryToRowP50Ms: nearestRank(sorted, 0.5) ?? 0,
      deliveryToRowP99Ms: nearestRank(sorted, 0.99) ?? 0,
      deliveryToRowMaxMs: sorted.at(-1) ?? 0,
      answerP50Ms: nearestRank([...answers].sort((a, b) => a - b), 0.5) ?? 0,
      answerP99Ms: nearestRank([...answers].sort((a, b) => a - b), 0.99) ?? 0,
      staleAfterAnswer,
      ...(options.meter ? { unitsPerDelivery: perDelivery(options.meter.totals(), measured.length) } : {}),
    };
  } finally {
    restoreEnv();
    await doc.send(new DeleteTableCommand({ TableName: deliveriesTable })).catch(() => {});
    doc.destroy();
    await world.close();
  }
}

function perDelivery(totals: CapacityTotals, deliveries: number): CapacityTotals {
  const out: CapacityTotals = {};
  for (const [label, t] of Object.entries(totals)) out[label] = { calls: t.calls / deliveries, read: t.read / deliveries, write: t.write / deliveries };
  return out;
}

function context(startedAt: number): Context {
  return {
    functionName: 'WebhookFunction',
    awsRequestId: `bench-${startedAt}`,
    getRemainingTimeInMillis: () => TIMEOUT_MS - (Date.now() - startedAt),
  } as Context;
}
