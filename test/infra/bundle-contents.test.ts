/**
 * What each function's bundle holds and what it evaluates when Lambda imports it (its cold
 * start), from esbuild's own import graph with the template's BuildProperties: the webhook
 * path stays out of the refresh bundle, and the tracer is a file of its own.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { samFunction } from '../../src/dev/sam-function.ts';
import { TRACER_FILE } from '../../src/handler/tracing.ts';
import { loadTemplate } from '../../src/dev/template.ts';
import { functionSources } from '../support/function-sources.ts';

const template = loadTemplate();
const refresh = () => functionSources(samFunction(template, 'RefreshFunction'));
const webhook = () => functionSources(samFunction(template, 'WebhookFunction'));

/** Whether the bundle holds `part` (a path under src/, bench/ or a package); a source path must exist, so a move cannot make a check vacuous. */
function held(files: Set<string>, part: string): boolean {
  if (/^(src|bench)\//.test(part)) assert.ok(existsSync(part), `${part} no longer exists: update this test`);
  return [...files].some((f) => f.startsWith(part) || f.includes(`node_modules/${part}`));
}

/** Loaded only with tracing on, from a file of its own (src/handler/xray-tracer.ts). */
const RARE_IN_REFRESH = ['@aws-lambda-powertools/tracer/', 'aws-xray-sdk-core/'];

/** SDK clients of the one call each gitsync makes (PutEvents, GetSecretValue): src/aws/json-call.ts makes it with what the DynamoDB client has loaded. */
const CALLED_WITHOUT_CLIENT = ['@aws-sdk/client-eventbridge/', '@aws-sdk/client-secrets-manager/', '@aws-lambda-powertools/parameters/'];

/** The SDK's credential sources other than the environment, which Lambda always sets (template.yaml's External). */
const NEVER_IN_LAMBDA = [
  '@aws-sdk/credential-provider-sso/',
  '@aws-sdk/credential-provider-ini/',
  '@aws-sdk/credential-provider-process/',
  '@aws-sdk/credential-provider-web-identity/',
  '@aws-sdk/credential-provider-http/',
  '@smithy/credential-provider-imds/',
  '@aws-sdk/nested-clients/',
];

test('the refresh bundle holds no webhook path (receiver, delivery log, secrets source, hand-on, Lambda SDK) and no bench or dev code', async () => {
  const { inputs } = await refresh();
  assert.ok(held(inputs, 'src/handler/refresh.ts'), 'the graph names the sources');
  for (const part of ['src/webhooks/', 'src/system/webhook-from-env.ts', 'src/system/webhook-receiver.ts', 'src/store/dynamo-webhook-store.ts', 'src/handler/webhook.ts', '@aws-sdk/client-lambda/', 'bench/', 'src/dev/']) {
    assert.ok(!held(inputs, part), `the refresh bundle holds ${part}`);
  }
});

test('the tracer with the X-Ray SDK is a file of its own beside the refresh handler\'s, which does not hold it', async () => {
  const { inputs, siblings } = await refresh();
  const tracerFile = siblings.get(TRACER_FILE);
  assert.ok(tracerFile, `the artifact has ${TRACER_FILE} (src/handler/tracing.ts requires it by that name)`);
  for (const part of RARE_IN_REFRESH) {
    assert.ok(held(tracerFile, part), `${TRACER_FILE} holds ${part}`);
    assert.ok(!held(inputs, part), `the refresh handler's file holds ${part}`);
  }
  assert.ok(held(inputs, 'src/providers/http/agent.ts') && held(inputs, '@aws-sdk/client-dynamodb/'), 'what every tick runs is in the handler\'s file');
});

test('no bundle holds undici or node:http2: the providers\' HTTP is node:http(s) keep-alive agents (src/providers/http/agent.ts)', async () => {
  for (const logicalId of ['RefreshFunction', 'WebhookFunction', 'MarkStaleFunction']) {
    const { inputs, builtins } = await functionSources(samFunction(template, logicalId));
    assert.ok(builtins.has('https'), `${logicalId}: the bundle's builtins are seen (else this check proves nothing)`);
    assert.ok(!held(inputs, 'undici/'), `${logicalId} holds undici (its HTTP/2 client and wasm parsers were 44% of the bundle)`);
    assert.ok(!builtins.has('http2'), `${logicalId} requires node:http2`);
  }
});

test('the webhook bundle holds no Lambda SDK (its rare hand-on loads the runtime\'s), no refresh loop and no tracer', async () => {
  const { inputs } = await webhook();
  assert.ok(held(inputs, 'src/webhooks/lambda-hand-on.ts'), 'the hand-on is bundled');
  for (const part of ['@aws-sdk/client-lambda/', 'src/handler/refresh.ts', 'src/loop/slot.ts', 'src/loop/lead.ts', '@aws-lambda-powertools/tracer/', 'aws-xray-sdk-core/']) {
    assert.ok(!held(inputs, part), `the webhook bundle holds ${part}`);
  }
});

test('no bundle holds the EventBridge or Secrets Manager client: change events and secrets are one signed call each', async () => {
  for (const logicalId of ['RefreshFunction', 'WebhookFunction', 'MarkStaleFunction']) {
    const { inputs, loadedAtImport } = await functionSources(samFunction(template, logicalId));
    assert.ok(held(loadedAtImport, 'src/aws/json-call.ts'), `${logicalId}: the calls are bundled (else this check proves nothing)`);
    for (const part of CALLED_WITHOUT_CLIENT) assert.ok(!held(inputs, part), `${logicalId} holds ${part}`);
  }
});

test('no bundle holds the credential sources Lambda never reaches', async () => {
  for (const logicalId of ['RefreshFunction', 'WebhookFunction', 'MarkStaleFunction']) {
    const { inputs } = await functionSources(samFunction(template, logicalId));
    assert.ok(held(inputs, '@aws-sdk/credential-provider-env/'), `${logicalId}: the environment's credentials are bundled`);
    for (const part of NEVER_IN_LAMBDA) assert.ok(!held(inputs, part), `${logicalId} holds ${part}`);
  }
});
