import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { localLambdaContext } from '../src/dev/lambda-context.ts';
import type { Settings } from '../src/system/settings.ts';
import { resolveValue, samFunction } from '../src/dev/sam-function.ts';
import { loadTemplate, type CfnTemplate } from '../src/dev/template.ts';
import { SECONDS_PER_MONTH } from './cost.ts';

/**
 * Every price of the whole bill: us-east-1, pay per use, as AWS's price pages state them
 * (DynamoDB, Lambda, Step Functions, EventBridge, Secrets Manager as supplied with the task;
 * CloudWatch, X-Ray and data transfer as issue 21 cites them, read 2026-12-02; not re-checked
 * online from this machine).
 */
export const BILL_PRICES = {
  dynamodb: { usdPerMillionWriteUnits: 0.625, usdPerMillionReadUnits: 0.125, usdPerGbMonth: 0.25, pitrUsdPerGbMonth: 0.2 },
  lambdaArm64: { usdPerGbSecond: 0.0000133334, usdPerMillionRequests: 0.2 },
  stepFunctionsExpress: { usdPerMillionRequests: 1.0, usdPerGbSecond: 0.00001667, billedMemoryGb: 0.064 },
  eventBridge: { usdPerMillionCustomEvents: 1.0 },
  cloudWatch: {
    usdPerMetricMonth: 0.3,
    usdPerAlarmMetricMonth: 0.1,
    usdPerDashboardMonth: 3.0,
    logsUsdPerGbIngested: 0.5,
    logsUsdPerGbMonthStored: 0.03,
    /** CloudWatch Logs bills each event's bytes plus 26 bytes of metadata. */
    logsBytesPerEvent: 26,
  },
  xray: { usdPerMillionTracesRecorded: 5.0 },
  secretsManager: { usdPerSecretMonth: 0.4, usdPer10kCalls: 0.05 },
  dataTransferOut: { usdPerGb: 0.09 },
  /** Free tiers, shown on their own line and never subtracted. */
  free: {
    lambdaGbSeconds: 400_000,
    lambdaRequests: 1_000_000,
    cloudWatchMetrics: 10,
    cloudWatchAlarmMetrics: 10,
    cloudWatchDashboards: 3,
    logsGbIngested: 5,
    xrayTraces: 100_000,
    dynamodbStorageGb: 25,
    dataTransferOutGb: 100,
  },
} as const;

/** The template's defaults the bill is computed at (read from template.yaml, nothing assumed). */
export interface TemplateDefaults
  extends Pick<Settings, 'shardCount' | 'batchSize' | 'concurrency' | 'perTokenConcurrency' | 'tickBudgetMs' | 'safetyMarginMs' | 'fanOut' | 'tokenMemoryMs'> {
  refreshMemoryGb: number;
  webhookMemoryGb: number;
  markStaleMemoryGb: number;
  tracing: boolean;
  logLevel: string;
  logRetentionDays: number;
  /** Metrics the alarms watch (an alarm on metric math bills each of its metrics). */
  alarmMetrics: number;
  dashboards: number;
  secrets: number;
  /** Tables with point-in-time recovery on. */
  pitrTables: string[];
}

export function templateDefaults(template: CfnTemplate = loadTemplate()): TemplateDefaults {
  const parameter = (name: string) => Number(template.Parameters?.[name]?.Default);
  const gb = (logicalId: string) => samFunction(template, logicalId).memoryMb / 1024;
  // A resource under a condition counts when the condition holds at the defaults (the `Fn::Equals` of a parameter the template uses).
  const holds = (condition: unknown): boolean => {
    if (typeof condition !== 'string') return true;
    const equals = (template['Conditions'] as Record<string, { 'Fn::Equals'?: [unknown, unknown] }> | undefined)?.[condition]?.['Fn::Equals'];
    if (!equals) return true;
    const value = (v: unknown) => (typeof v === 'object' && v !== null && 'Ref' in v ? String(template.Parameters?.[String((v as { Ref: string }).Ref)]?.Default) : String(v));
    return value(equals[0]) === value(equals[1]);
  };
  const resources = Object.values(template.Resources).filter((r) => holds(r['Condition']));
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  return {
    shardCount: parameter('ShardCount'),
    batchSize: parameter('BatchSize'),
    concurrency: parameter('Concurrency'),
    perTokenConcurrency: parameter('PerTokenConcurrency'),
    tickBudgetMs: parameter('TickBudgetMs'),
    safetyMarginMs: parameter('SafetyMarginMs'),
    tokenMemoryMs: parameter('TokenMemoryMs'),
    fanOut: { maxWorkers: parameter('MaxWorkers'), reservedConcurrency: parameter('RefreshReservedConcurrency'), rowsPerWorker: parameter('RowsPerWorker') },
    refreshMemoryGb: gb('RefreshFunction'),
    webhookMemoryGb: gb('WebhookFunction'),
    markStaleMemoryGb: gb('MarkStaleFunction'),
    tracing: resolveValue(template, template.Resources.RefreshFunction?.Properties?.Tracing) === 'Active',
    logLevel: String(template.Parameters?.LogLevel?.Default),
    logRetentionDays: parameter('LogRetentionDays'),
    alarmMetrics: ofType('AWS::CloudWatch::Alarm').reduce((n, r) => n + (JSON.stringify(r.Properties).match(/"MetricName"/g)?.length ?? 0), 0),
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    pitrTables: Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table' && JSON.stringify(r.Properties?.PointInTimeRecoverySpecification ?? {}).includes('true'))
      .map(([id]) => id),
  };
}

/**
 * What the functions write to CloudWatch, measured: a real Powertools Logger and Metrics, set
 * up as the handlers' (service, namespace, log level, the Lambda context), whose output is
 * counted instead of printed, plus the lines the Lambda platform writes per invocation (START,
 * END, REPORT, built as Lambda writes them). Metric series are counted by the hours they had a
 * datapoint in (CloudWatch prorates a series by the hour).
 */
export class InvocationMeter {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Bytes and lines of the invocations' own lines (report, platform), and of lines the tick writes per row. */
  invocationBytes = 0;
  invocationLines = 0;
  rowBytes = 0;
  rowLines = 0;
  invocations = 0;
  readonly #seriesHours = new Map<string, Set<number>>();
  readonly #context: Context;
  readonly #memoryMb: number;
  #hour = 0;
  #inReport = false;

  constructor(options: { functionName: string; memoryMb: number; logLevel: string }) {
    this.logger = new Logger({ serviceName: 'gitsync', logLevel: options.logLevel as 'INFO' });
    const write = (line: string) => this.#line(line);
    const sink = { log: write, info: write, warn: write, error: write, debug: write, trace: write } as unknown as Console;
    // Its own warnings go where the handler's Metrics writes them: the function's log.
    this.metrics = new Metrics({ namespace: 'gitsync', serviceName: 'gitsync', logger: sink });
    // Metrics turned off by the environment (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV) emit nothing: a count of 0 series would be a lie.
    if ((this.metrics as unknown as { isDisabled(): boolean }).isDisabled()) throw new Error('InvocationMeter: Powertools Metrics are disabled by the environment (POWERTOOLS_METRICS_DISABLED / POWERTOOLS_DEV); the metric series cannot be counted');
    this.#memoryMb = options.memoryMb;
    this.#context = localLambdaContext({ functionName: options.functionName, region: 'us-east-1', memoryMb: String(options.memoryMb), timeoutMs: 40_000 });
    (this.logger as unknown as { console: Console }).console = sink;
    (this.metrics as unknown as { console: Console }).console = sink;
    this.logger.addContext(this.#context);
  }

  /** One invocation at `at` (epoch ms): `report` writes its metrics and log line as the handler does. */
  invocation(at: number, report: () => void, durationMs: number): void {
    this.#hour = Math.floor(at / 3_600_000);
    this.invocations += 1;
    this.#inReport = true;
    try {
      report();
      const id = this.#context.awsRequestId;
      this.#line(`START RequestId: ${id} Version: $LATEST`);
      this.#line(`END RequestId: ${id}`);
      this.#line(
        `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${this.#memoryMb} MB\tMax Memory Used: 131 MB\t`,
      );
    } finally {
      this.#inReport = false;
    }
  }

  /** Sets the hour for lines written outside `invocation` (a tick's per-row lines). */
  at(at: number): void {
    this.#hour = Math.floor(at / 3_600_000);
  }

  /** Distinct metric series seen, and their series-hours. */
  series(): { count: number; hours: number } {
    let hours = 0;
    for (const set of this.#seriesHours.values()) hours += set.size;
    return { count: this.#seriesHours.size, hours };
  }

  #line(line: string): void {
    const bytes = Buffer.byteLength(line) + BILL_PRICES.cloudWatch.logsBytesPerEvent;
    if (this.#inReport) {
      this.invocationBytes += bytes;
      this.invocationLines += 1;
    } else {
      this.rowBytes += bytes;
      this.rowLines += 1;
    }
    if (line.startsWith('{"_aws"')) this.#emf(line);
  }

  #emf(line: string): void {
    const blob = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    for (const directive of blob._aws.CloudWatchMetrics) {
      for (const dimensions of directive.Dimensions) {
        for (const metric of directive.Metrics) {
          const key = `${directive.Namespace}|${dimensions.map((d) => `${d}=${String(blob[d])}`).join(',')}|${metric.Name}`;
          let hours = this.#seriesHours.get(key);
          if (!hours) this.#seriesHours.set(key, (hours = new Set()));
          hours.add(this.#hour);
        }
      }
    }
  }
}

/** One month of a deployment, every quantity the bill prices (each says where it comes from in `BillSources`). */
export interface MonthQuantities {
  rows: number;
  dynamodb: {
    rowWru: number;
    rowRru: number;
    loopWru: number;
    loopRru: number;
    tokensRru: number;
    /** An App's installation-token mints (the tokens table holds them). */
    tokensWru: number;
    webhookWru: number;
    webhookRru: number;
    /** The diff-status table's storage (rows and their index entries). */
    storageGb: number;
    /** The HTTP cache table: its BatchGetItem reads, its PutItems (only when a row's validators changed), its storage (no PITR). */
    cacheWru: number;
    cacheRru: number;
    cacheStorageGb: number;
  };
  refreshInvocations: number;
  refreshGbSeconds: number;
  webhookInvocations: number;
  webhookGbSeconds: number;
  markStaleInvocations: number;
  markStaleGbSeconds: number;
  executions: number;
  /** Billed seconds of one execution, mean (Express bills each by the 100 ms it ran, 64 MB). */
  executionSeconds: number;
  changeEvents: number;
  logGb: number;
  /** Custom metric series, in months (a series active every hour of the month is 1). */
  metricMonths: number;
  traces: number;
  secretCalls: number;
  transferOutGb: number;
}

/** The month's bill, line by line, at `d` (the template's defaults); the free tier on its own line. */
export function monthlyBill(q: MonthQuantities, d: TemplateDefaults): { lines: Record<string, number>; totalUsd: number; freeTierUsd: number; usdPer1000Rows: number | null } {
  const p = BILL_PRICES;
  const w = (units: number) => (units * p.dynamodb.usdPerMillionWriteUnits) / 1e6;
  const r = (units: number) => (units * p.dynamodb.usdPerMillionReadUnits) / 1e6;
  const lambda = (gbSeconds: number, invocations: number) => gbSeconds * p.lambdaArm64.usdPerGbSecond + (invocations * p.lambdaArm64.usdPerMillionRequests) / 1e6;
  const sfn = p.stepFunctionsExpress;
  const lines: Record<string, number> = {
    'DynamoDB: row claims and write-backs': w(q.dynamodb.rowWru) + r(q.dynamodb.rowRru),
    'DynamoDB: loop (shard mark, leases, due-index queries, census)': w(q.dynamodb.loopWru) + r(q.dynamodb.loopRru),
    'DynamoDB: tokens table (reads; an App\'s mints)': r(q.dynamodb.tokensRru) + w(q.dynamodb.tokensWru),
    'DynamoDB: webhook path (dedup, claim, index, host note)': w(q.dynamodb.webhookWru) + r(q.dynamodb.webhookRru),
    'DynamoDB: HTTP cache table': w(q.dynamodb.cacheWru) + r(q.dynamodb.cacheRru) + q.dynamodb.cacheStorageGb * p.dynamodb.usdPerGbMonth,
    'DynamoDB: storage': q.dynamodb.storageGb * p.dynamodb.usdPerGbMonth,
    'DynamoDB: point-in-time recovery': q.dynamodb.storageGb * p.dynamodb.pitrUsdPerGbMonth * (d.pitrTables.length > 0 ? 1 : 0),
    'Lambda: refresh function': lambda(q.refreshGbSeconds, q.refreshInvocations),
    'Lambda: webhook function': lambda(q.webhookGbSeconds, q.webhookInvocations),
    'Lambda: mark-stale function': lambda(q.markStaleGbSeconds, q.markStaleInvocations),
    'Step Functions Express (the loop)': (q.executions * sfn.usdPerMillionRequests) / 1e6 + q.executions * q.executionSeconds * sfn.billedMemoryGb * sfn.usdPerGbSecond,
    'EventBridge: change events (the schedule rule is free)': (q.changeEvents * p.eventBridge.usdPerMillionCustomEvents) / 1e6,
    'CloudWatch: custom metrics': q.metricMonths * p.cloudWatch.usdPerMetricMonth,
    'CloudWatch Logs: ingestion': q.logGb * p.cloudWatch.logsUsdPerGbIngested,
    // Kept LogRetentionDays: a month's worth stored at most (billed compressed; this is the uncompressed upper bound).
    'CloudWatch Logs: storage': q.logGb * Math.min(1, d.logRetentionDays / 30) * p.cloudWatch.logsUsdPerGbMonthStored,
    'CloudWatch: alarms': d.alarmMetrics * p.cloudWatch.usdPerAlarmMetricMonth,
    'CloudWatch: dashboard': d.dashboards * p.cloudWatch.usdPerDashboardMonth,
    'X-Ray': (q.traces * p.xray.usdPerMillionTracesRecorded) / 1e6,
    'Secrets Manager': d.secrets * p.secretsManager.usdPerSecretMonth + (q.secretCalls / 10_000) * p.secretsManager.usdPer10kCalls,
    'Data transfer out': q.transferOutGb * p.dataTransferOut.usdPerGb,
  };
  const f = p.free;
  const gbSeconds = q.refreshGbSeconds + q.webhookGbSeconds + q.markStaleGbSeconds;
  const invocations = q.refreshInvocations + q.webhookInvocations + q.markStaleInvocations;
  const freeTierUsd =
    Math.min(gbSeconds, f.lambdaGbSeconds) * p.lambdaArm64.usdPerGbSecond +
    (Math.min(invocations, f.lambdaRequests) * p.lambdaArm64.usdPerMillionRequests) / 1e6 +
    Math.min(q.metricMonths, f.cloudWatchMetrics) * p.cloudWatch.usdPerMetricMonth +
    Math.min(d.alarmMetrics, f.cloudWatchAlarmMetrics) * p.cloudWatch.usdPerAlarmMetricMonth +
    Math.min(d.dashboards, f.cloudWatchDashboards) * p.cloudWatch.usdPerDashboardMonth +
    Math.min(q.logGb, f.logsGbIngested) * p.cloudWatch.logsUsdPerGbIngested +
    (Math.min(q.traces, f.xrayTraces) * p.xray.usdPerMillionTracesRecorded) / 1e6 +
    Math.min(q.dynamodb.storageGb + q.dynamodb.cacheStorageGb, f.dynamodbStorageGb) * p.dynamodb.usdPerGbMonth +
    Math.min(q.transferOutGb, f.dataTransferOutGb) * p.dataTransferOut.usdPerGb;
  const totalUsd = Object.values(lines).reduce((a, b) => a + b, 0);
  return { lines, totalUsd, freeTierUsd, usdPer1000Rows: q.rows > 0 ? (totalUsd / q.rows) * 1000 : null };
}

export const SLOTS_PER_MONTH = SECONDS_PER_MONTH / 10;
export const EXECUTIONS_PER_MONTH = SECONDS_PER_MONTH / 60;
