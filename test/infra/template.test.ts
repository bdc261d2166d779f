import { LOOP_SCHEDULE } from '../../src/loop/rhythm.ts';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import aslValidator from 'asl-validator';
import { MARK_STALE_DETAIL_TYPE } from '../../src/handler/mark-stale-event.ts';
import { TOKEN_LINKED_DETAIL_TYPE } from '../../src/handler/token-linked-event.ts';
import { AWAITING_TOKEN_INDEX } from '../../src/store/token-waits.ts';
import type { RefreshErrorKind } from '../../src/domain/errors.ts';
import { OUTCOME_OF_ERROR } from '../../src/cadence/outcomes.ts';
import { samFunction, samFunctions } from '../../src/dev/sam-function.ts';
import { placeholders, stateMachineSource, substituteDefinition } from '../../src/dev/state-machine.ts';
import { loadTemplate, type CfnResource } from '../../src/dev/template.ts';
import { REPO_BRANCH_INDEX } from '../../src/store/dynamo-webhook-store.ts';
import { dynamoDbActions, environmentReads, functionSources } from '../support/function-sources.ts';

const template = loadTemplate();
const loop = stateMachineSource(template, 'RefreshLoop');
/**
 * Actions whose command is in a function's bundle but which the function never sends, so it
 * is not granted them: mark-stale bundles DynamoStore and calls only `markStale` (UpdateItem)
 * and, for a linked token, the waiting rows' index (Query, granted on that index alone).
 */
const NOT_CALLED: Record<string, string[]> = {
  // The due-index sweep (a Scan of byDueShard) runs in ticks only; the HTTP cache table is
  // read (BatchGetItem) and written (PutItem) by refreshes only.
  MarkStaleFunction: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'],
  WebhookFunction: ['dynamodb:Scan'],
};
/** The one non-DynamoDB statement besides change events: the webhook function reads its secret. */
const WEBHOOK_SECRET_STATEMENT = { Action: ['secretsmanager:GetSecretValue'], Resource: { Ref: 'WebhookSecret' } };
/** Both functions may read the one secret holding a GitHub App's key, when one is configured. */
const APP_KEY_STATEMENT = { Action: ['secretsmanager:GetSecretValue'], Resource: { Ref: 'GitHubAppKeySecretArn' } };
/** ... and hands the rest of a large delivery on to itself, by its fixed name. */
const WEBHOOK_SELF_INVOKE_STATEMENT = {
  Action: ['lambda:InvokeFunction'],
  Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-webhook' },
};
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:gitsync-RefreshFunction-AbC123';

function props(logicalId: string): Record<string, unknown> {
  const r = template.Resources[logicalId];
  assert.ok(r?.Properties, `template has ${logicalId}`);
  return r.Properties;
}

test('the template parses with its intrinsic tags intact', () => {
  assert.equal(template.Transform, 'AWS::Serverless-2016-10-31');
  const env = (props('RefreshFunction').Environment as { Variables: Record<string, unknown> }).Variables;
  assert.deepEqual(env.TABLE_NAME, { Ref: 'DiffStatusTable' });
  assert.deepEqual(loop.substitutions.RefreshFunctionArn, { 'Fn::GetAtt': ['RefreshFunction', 'Arn'] });
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    assert.notEqual(p.Default, undefined, `parameter ${name} has a default, so sam deploy --guided can keep it`);
  }
});

test('every ${...} in the loop definition has a substitution and every substitution is used', () => {
  const used = placeholders(loop.text);
  assert.deepEqual([...used].sort(), Object.keys(loop.substitutions).sort());
});

test('the loop definition passes asl-validator, ARNs checked', () => {
  const definition = substituteDefinition(loop.text, { RefreshFunctionArn: FUNCTION_ARN });
  const result = aslValidator(definition);
  assert.ok(result.isValid, result.errorsText('\n'));
});

test('the loop is an Express state machine started by the loop rhythm\'s cron rule at every minute', () => {
  const p = props('RefreshLoop');
  assert.equal(p.Type, 'EXPRESS');
  const events = Object.values(p.Events as Record<string, { Type: string; Properties: Record<string, unknown> }>);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.Type, 'Schedule');
  assert.equal(events[0]?.Properties.Schedule, LOOP_SCHEDULE);
});

test('the Task waits longer than the refresh function can run, and retries only Lambda service errors', () => {
  const definition = substituteDefinition(loop.text, { RefreshFunctionArn: FUNCTION_ARN }) as {
    States: Record<string, { Type: string; TimeoutSeconds?: number; Retry?: { ErrorEquals: string[]; MaxAttempts: number; IntervalSeconds: number }[] }>;
  };
  const refresh = definition.States.Refresh;
  assert.equal(refresh?.Type, 'Task');
  const timeoutParam = template.Parameters?.RefreshTimeoutSeconds;
  assert.ok(Number(timeoutParam?.MaxValue) < (refresh.TimeoutSeconds ?? 0), 'Task timeout above any allowed function timeout');
  for (const retrier of refresh.Retry ?? []) {
    assert.ok(retrier.ErrorEquals.every((e) => e.startsWith('Lambda.')), `retries only Lambda.* errors: ${retrier.ErrorEquals}`);
    // Worst case pause: interval 1 s, doubled once.
    assert.ok(retrier.IntervalSeconds * (2 ** retrier.MaxAttempts - 1) <= 3, 'retries stay short');
  }
});

for (const fn of samFunctions(template)) {
  test(`${fn.logicalId}: handler and runtime match the code and this toolchain's Node`, () => {
    const major = process.versions.node.split('.')[0];
    assert.equal(fn.runtime, `nodejs${major}.x`);
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(engines, `>=${major}`);
    assert.deepEqual(props(fn.logicalId).Architectures, ['arm64']);
    const entries = fn.buildProperties.EntryPoints as string[];
    // The handler's file first; the refresh function's tracer is a second file beside it (src/handler/tracing.ts).
    assert.deepEqual(entries.slice(1), fn.logicalId === 'RefreshFunction' ? ['src/handler/xray-tracer.ts'] : []);
    for (const other of entries) assert.equal(dirname(other), dirname(entries[0] ?? ''), 'the files land side by side');
    const entry = join(fn.codeUri, entries[0] ?? '');
    assert.ok(existsSync(entry), `${entry} exists`);
    const [moduleName, exportName] = fn.handler.split('.');
    assert.equal(moduleName, entries[0]?.replace(/^.*\//, '').replace(/\.ts$/, ''), 'Handler names the bundle of the entry point');
    assert.match(readFileSync(entry, 'utf8'), new RegExp(`export (async )?(function|const) ${exportName}\\b`));
    assert.equal(fn.buildProperties.Format, 'cjs');
    assert.deepEqual(fn.buildProperties.OutExtension, ['.js=.cjs'], 'CommonJS whatever package.json is nearest');
    // Left out of the bundle: the credential sources Lambda never reaches (it sets the
    // environment ones) and, in the webhook function, the Lambda SDK of its rare hand-on.
    const external = (fn.buildProperties.External as string[]).filter((name) => !/^@(aws-sdk|smithy)\/credential-provider-(?!env$|node$)/.test(name));
    assert.deepEqual(external, fn.logicalId === 'WebhookFunction' ? ['@aws-sdk/client-lambda'] : []);
  });

  test(`${fn.logicalId}: policies grant exactly the DynamoDB actions its code sends, on gitsync's tables only`, async () => {
    const used = dynamoDbActions(await functionSources(fn));
    const granted = new Set<string>();
    const statements = inlineStatements(fn.logicalId).filter((s) => !isChangeEventsStatement(s));
    const secretStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:') || a.startsWith('lambda:')));
    const isWebhook = fn.logicalId === 'WebhookFunction';
    assert.deepEqual(
      secretStatements.map((s) => ({ Action: s.Action, Resource: s.Resource })),
      isWebhook ? [WEBHOOK_SECRET_STATEMENT, WEBHOOK_SELF_INVOKE_STATEMENT, APP_KEY_STATEMENT] : fn.logicalId === 'RefreshFunction' ? [APP_KEY_STATEMENT] : [],
      'only the webhook function reads its own secret and invokes a function (itself); the refreshing functions may read the App key',
    );
    if (isWebhook) {
      assert.deepEqual(props(fn.logicalId).FunctionName, { 'Fn::Sub': '${AWS::StackName}-webhook' }, 'the name it invokes is its own');
    }
    for (const statement of statements.filter((s) => !secretStatements.includes(s))) {
      const actions = [statement.Action].flat();
      const resource = JSON.stringify(statement.Resource);
      for (const action of actions) {
        assert.ok(!action.includes('*'), `no wildcard action: ${action}`);
        granted.add(action);
      }
      assert.ok(!resource.includes('*'), `no wildcard resource: ${resource}`);
      assert.match(resource, /DiffStatusTable|TokensTable|WebhookDeliveriesTable|HttpCacheTable/, `resource is a gitsync table: ${resource}`);
    }
    const notCalled = NOT_CALLED[fn.logicalId] ?? [];
    for (const [action, where] of used) {
      if (!notCalled.includes(action)) assert.ok(granted.has(action), `${action} (sent by ${where.join(', ')}) is granted`);
    }
    for (const action of granted) assert.ok(used.has(action), `${action} is granted but no code sends it`);
  });

  test(`${fn.logicalId}: change events may go to the configured bus only, and only when one is configured`, async () => {
    const { bundled } = await functionSources(fn);
    // The PutEvents call's X-Amz-Target (src/events/eventbridge-publisher.ts), where tree shaking kept it.
    const sends = [...bundled.values()].some((code) => /["']AWSEvents\.PutEvents["']/.test(code));
    const policies = props(fn.logicalId).Policies as unknown[];
    const conditional = policies.filter(
      (p) => typeof p === 'object' && p !== null && 'Fn::If' in p && (p as { 'Fn::If': [string] })['Fn::If'][0] !== 'HasGitHubAppKey',
    );
    assert.equal(conditional.length, sends ? 1 : 0, 'one conditional statement exactly when the code publishes');
    if (!sends) return;
    const [condition, , otherwise] = (conditional[0] as { 'Fn::If': [string, unknown, unknown] })['Fn::If'];
    assert.equal(condition, 'PublishesChanges');
    assert.deepEqual(otherwise, { Ref: 'AWS::NoValue' });
    const statements = inlineStatements(fn.logicalId).filter(isChangeEventsStatement);
    assert.deepEqual(
      statements.map((s) => [s.Action, s.Resource]),
      [[['events:PutEvents'], { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${ChangeEventBus}' }]],
    );
    const variables = (props(fn.logicalId).Environment as { Variables: Record<string, unknown> }).Variables;
    assert.deepEqual(variables.CHANGE_EVENT_BUS, { Ref: 'ChangeEventBus' });
  });

  test(`${fn.logicalId}: every environment variable the code reads is set by the template, and none is unused`, async () => {
    const { bundled, packages } = await functionSources(fn);
    const read = new Set(environmentReads(bundled).keys());
    const declared = new Set(Object.keys(fn.environment));
    const runtimeProvided = (name: string) => name.startsWith('AWS_') || name.startsWith('LAMBDA_') || name === 'TZ';
    for (const name of read) {
      if (!runtimeProvided(name)) assert.ok(declared.has(name), `${name} is read by the code but not set`);
    }
    const readByLibraries = new Set(['NODE_OPTIONS']);
    if (packages.has('@aws-lambda-powertools/logger')) ['POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL'].forEach((n) => readByLibraries.add(n));
    if (packages.has('@aws-lambda-powertools/metrics')) readByLibraries.add('POWERTOOLS_METRICS_NAMESPACE');
    for (const name of readByLibraries) {
      if (name !== 'NODE_OPTIONS') assert.ok(declared.has(name), `${name} (read by a Powertools library) is set`);
    }
    for (const name of declared) {
      assert.ok(read.has(name) || readByLibraries.has(name), `${name} is set but nothing reads it`);
    }
  });
}

test('the stale index named in the environment is the table\'s GSI and the one Query is granted on', () => {
  const fn = samFunction(template, 'RefreshFunction');
  const table = props('DiffStatusTable') as { GlobalSecondaryIndexes: { IndexName: string }[] };
  const index = fn.environment.STALE_INDEX_NAME;
  assert.deepEqual(table.GlobalSecondaryIndexes.map((g) => g.IndexName), [index, REPO_BRANCH_INDEX, AWAITING_TOKEN_INDEX]);
  const statements = inlineStatements('RefreshFunction').filter((s) => [s.Action].flat().includes('dynamodb:Query'));
  assert.deepEqual(statements.map((s) => s.Resource), [{ 'Fn::Sub': `\${DiffStatusTable.Arn}/index/${index}` }]);
  assert.equal(samFunction(template, 'MarkStaleFunction').environment.STALE_INDEX_NAME, index);
  assert.deepEqual(
    samFunction(template, 'MarkStaleFunction').environment.SHARD_COUNT,
    fn.environment.SHARD_COUNT,
    'both functions shard the due index alike',
  );
});

test('the webhook function queries the repository-and-branch index, which projects what matching reads, and with a GitHub App the awaiting-token index', () => {
  const table = props('DiffStatusTable') as {
    GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
  };
  const gsi = table.GlobalSecondaryIndexes.find((g) => g.IndexName === REPO_BRANCH_INDEX);
  assert.deepEqual(gsi?.KeySchema, [{ AttributeName: 'repoBranchKey', KeyType: 'HASH' }]);
  assert.deepEqual(gsi?.Projection, { ProjectionType: 'INCLUDE', NonKeyAttributes: ['gitRemoteOrigin', 'gitBranch'] });
  const queries = inlineStatements('WebhookFunction').filter((s) => [s.Action].flat().includes('dynamodb:Query'));
  assert.deepEqual(queries.map((s) => s.Resource), [
    { 'Fn::Sub': `\${DiffStatusTable.Arn}/index/${REPO_BRANCH_INDEX}` },
    // Installation events (src/ops/installation-changed.ts); only with the App's key (the condition's true side).
    { 'Fn::Sub': `\${DiffStatusTable.Arn}/index/${AWAITING_TOKEN_INDEX}` },
  ]);
});

test('the webhook function answers on a function URL whose authentication is the signature; its URL is an output', () => {
  const p = props('WebhookFunction');
  assert.deepEqual(p.FunctionUrlConfig, { AuthType: 'NONE' });
  assert.ok(Number(p.Timeout) <= 10, "GitHub waits 10 s for the answer");
  assert.ok(Number(template.Parameters?.WebhookBudgetMs?.MaxValue) <= 8_000, 'the delivery budget leaves time to answer');
  assert.deepEqual((template.Outputs?.WebhookUrl as { Value: unknown }).Value, { 'Fn::GetAtt': ['WebhookFunctionUrl', 'FunctionUrl'] });
  const env = samFunction(template, 'WebhookFunction').environment;
  assert.equal(env.WEBHOOK_SECRETS, '', 'no secret in the template: blank on AWS, set locally in events/env.json');
  assert.deepEqual((props('WebhookFunction').Environment as { Variables: Record<string, unknown> }).Variables.WEBHOOK_SECRET_ARN, { Ref: 'WebhookSecret' });
  const secret = template.Resources.WebhookSecret?.Properties as { GenerateSecretString: Record<string, unknown> };
  assert.equal(secret.GenerateSecretString.GenerateStringKey, '*', 'a generated value serving every configured host');
  const ttl = props('WebhookDeliveriesTable').TimeToLiveSpecification;
  assert.deepEqual(ttl, { AttributeName: 'expiresAt', Enabled: true }, 'delivery ids expire by themselves');
});

test('the mark-stale rule matches the detail-types the handler accepts (a push, a linked token)', () => {
  const events = props('MarkStaleFunction').Events as Record<string, { Type: string; Properties: { Pattern: unknown } }>;
  assert.deepEqual(Object.values(events).map((e) => [e.Type, e.Properties.Pattern]), [
    ['EventBridgeRule', { 'detail-type': [MARK_STALE_DETAIL_TYPE, TOKEN_LINKED_DETAIL_TYPE] }],
  ]);
  const table = props('DiffStatusTable') as { GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown; Projection: unknown }[] };
  const waits = table.GlobalSecondaryIndexes.find((g) => g.IndexName === AWAITING_TOKEN_INDEX);
  assert.deepEqual(waits?.KeySchema, [{ AttributeName: 'awaitingToken', KeyType: 'HASH' }]);
  assert.deepEqual(waits?.Projection, { ProjectionType: 'KEYS_ONLY' }, 'the rows to make due are all it needs');
  const queries = inlineStatements('MarkStaleFunction').filter((s) => [s.Action].flat().includes('dynamodb:Query'));
  assert.deepEqual(queries.map((s) => s.Resource), [{ 'Fn::Sub': `\${DiffStatusTable.Arn}/index/${AWAITING_TOKEN_INDEX}` }]);
});

test('Logs Insights saved queries: a chat\'s history, failures by kind over time, slowest ticks, refused deliveries', () => {
  const queries = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Logs::QueryDefinition');
  const byName = new Map(
    queries.map(([, r]) => {
      const p = r.Properties as { Name: { 'Fn::Sub': string }; QueryString: string; LogGroupNames: { Ref: string }[] };
      return [p.Name['Fn::Sub'].replace('gitsync/${AWS::StackName}/', ''), { query: p.QueryString, groups: p.LogGroupNames.map((g) => g.Ref) }];
    }),
  );
  assert.deepEqual([...byName.keys()].sort(), ['chat-history', 'failures-by-kind', 'refused-deliveries', 'slowest-ticks']);
  for (const { groups } of byName.values()) for (const g of groups) assert.equal(template.Resources[g]?.Type, 'AWS::Logs::LogGroup', g);
  // Each query reads fields the code logs under those names.
  const history = byName.get('chat-history')!;
  assert.deepEqual(history.groups, ['RefreshLogGroup', 'WebhookLogGroup', 'MarkStaleLogGroup']);
  assert.match(history.query, /filter chatId = "CHAT_ID"/);
  const failures = byName.get('failures-by-kind')!.query;
  assert.match(failures, /filter message = "tick finished"/);
  for (const kind of Object.keys(OUTCOME_OF_ERROR) as RefreshErrorKind[]) assert.match(failures, new RegExp(`sum\\(summary\\.errorsByKind\\.${kind}\\) as ${kind}\\b`), kind);
  assert.match(failures, /by bin\(5m\)/);
  assert.match(byName.get('slowest-ticks')!.query, /sort summary\.durationMs desc/);
  const refused = byName.get('refused-deliveries')!;
  assert.deepEqual(refused.groups, ['WebhookLogGroup']);
  assert.match(refused.query, /filter message = "webhook delivery refused"/);
});

test('every function and the loop log to a log group with retention', () => {
  const retained = (ref: unknown) => {
    const id = (ref as { Ref?: string; 'Fn::GetAtt'?: string[] }).Ref ?? (ref as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const group = template.Resources[id ?? ''] as CfnResource;
    assert.equal(group.Type, 'AWS::Logs::LogGroup');
    assert.deepEqual(group.Properties?.RetentionInDays, { Ref: 'LogRetentionDays' });
  };
  for (const fn of samFunctions(template)) retained((props(fn.logicalId).LoggingConfig as { LogGroup: unknown }).LogGroup);
  const logging = props('RefreshLoop').Logging as { Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[] };
  retained(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn);
});

test('alarms watch function errors, failed executions and lateness; outputs name what a user needs', () => {
  const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const watched = JSON.stringify(alarms.map((a) => a.Properties));
  assert.match(watched, /"MetricName":"Errors".*"Value":\{"Ref":"RefreshFunction"\}/);
  assert.match(watched, /"MetricName":"ExecutionsFailed"/);
  assert.match(watched, /"Namespace":\{"Ref":"MetricsNamespace"\},"MetricName":"OldestDueLateness"/);
  assert.match(watched, /"MetricName":"Errors".*"Value":\{"Ref":"WebhookFunction"\}/);
  assert.match(watched, /"Namespace":\{"Ref":"MetricsNamespace"\},"MetricName":"WebhookRefused"/);
  for (const alarm of alarms) assert.deepEqual(alarm.Properties?.AlarmActions, [{ Ref: 'AlarmTopic' }]);
  assert.deepEqual(
    Object.keys(template.Outputs ?? {}).filter((k) => ['DiffStatusTableName', 'TokensTableName', 'RefreshLoopArn', 'WebhookUrl', 'DashboardUrl'].includes(k)),
    ['DiffStatusTableName', 'TokensTableName', 'RefreshLoopArn', 'WebhookUrl', 'DashboardUrl'],
  );
  const namespace = samFunction(template, 'RefreshFunction').environment.POWERTOOLS_METRICS_NAMESPACE;
  assert.equal(namespace, template.Parameters?.MetricsNamespace?.Default, 'metrics are published where alarms look');
});

test('the dashboard body is valid JSON once substituted; its metric widgets chart only metrics gitsync publishes, its log widgets read its log groups', async () => {
  const { TICK_METRIC_NAMES } = await import('../../src/handler/tick-metrics.ts');
  const { WEBHOOK_METRIC_NAMES } = await import('../../src/handler/webhook-metrics.ts');
  const published: readonly string[] = [...TICK_METRIC_NAMES, ...WEBHOOK_METRIC_NAMES];
  const numbers: Record<string, string> = { LatenessAlarmSeconds: '120', WebhookRefusedAlarmThreshold: '5' };
  const body = (props('Dashboard').DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  const filled = body.replace(/\$\{([^}]+)\}/g, (_, name: string) => numbers[name] ?? `x-${name}`);
  const dashboard = JSON.parse(filled) as { widgets: { type: string; properties: { metrics?: unknown[][]; query?: string } }[] };
  const charted: string[] = [];
  const queried: string[] = [];
  for (const widget of dashboard.widgets) {
    if (widget.type === 'log') {
      const source = /^SOURCE '([^']+)' \| /.exec(widget.properties.query ?? '');
      assert.ok(source, `a log widget names its log group: ${widget.properties.query}`);
      queried.push(source[1]!.replace(/^x-/, ''));
      continue;
    }
    let namespace: unknown;
    for (const row of widget.properties.metrics ?? []) {
      if (row[0] === '...' || typeof row[0] !== 'string') continue;
      if (row[0] !== '.') namespace = row[0];
      if (namespace === 'x-MetricsNamespace') charted.push(String(row[1]));
    }
  }
  assert.deepEqual([...new Set(charted)].sort(), [...published].sort(), 'every custom metric is charted, and only those');
  for (const group of queried) assert.equal(template.Resources[group]?.Type, 'AWS::Logs::LogGroup', group);
  assert.ok(queried.length >= 4);
  // Every metric either feeds an alarm or a widget: nothing is published that nobody reads.
  const alarmed = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap((r) => JSON.stringify(r.Properties).match(/"MetricName":"(\w+)"/g) ?? [])
    .map((m) => m.replace(/"MetricName":"(\w+)"/, '$1'));
  assert.ok(alarmed.includes('OldestDueLateness') && alarmed.includes('WebhookRefused'));
});

interface PolicyStatement {
  Action: string | string[];
  Resource: unknown;
}

/**
 * Every statement of a function's inline policies, the branch taken when a condition holds
 * included (`Fn::If` whose other branch is `AWS::NoValue`). Anything else fails the test:
 * only inline statements, no managed policies or policy templates.
 */
function inlineStatements(logicalId: string): PolicyStatement[] {
  return (props(logicalId).Policies as unknown[]).flatMap((policy) => {
    const taken = typeof policy === 'object' && policy !== null && 'Fn::If' in policy
      ? (policy as { 'Fn::If': [string, unknown, unknown] })['Fn::If'][1]
      : policy;
    const statements = (taken as { Statement?: PolicyStatement[] }).Statement;
    assert.ok(statements, `${logicalId}: only inline statements (no broad managed policies or templates)`);
    return statements;
  });
}

function isChangeEventsStatement(statement: PolicyStatement): boolean {
  return [statement.Action].flat().some((action) => action.startsWith('events:'));
}
