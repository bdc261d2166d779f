import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbTracing, tracesHere } from '../../src/handler/tracing.ts';

test('the X-Ray SDK is loaded only where Powertools Tracer would trace: in Lambda, tracing on, the function\'s X-Ray mode Active', () => {
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'gitsync-refresh' };
  const cases: [Record<string, string>, boolean][] = [
    [lambda, true],
    [{ ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    [{ ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    [{ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' }, false],
    [{ ...lambda, AWS_SAM_LOCAL: 'true' }, false],
    [{ ...lambda, TRACING_MODE: 'Active' }, true],
    [{ ...lambda, TRACING_MODE: 'PassThrough' }, false],
    [{ ...lambda, TRACING_MODE: 'PassThrough', POWERTOOLS_TRACE_ENABLED: 'true' }, false],
    [{}, false],
    [{ POWERTOOLS_TRACE_ENABLED: 'true' }, false],
  ];
  for (const [env, traces] of cases) assert.equal(tracesHere(env), traces, JSON.stringify(env));
});

test('where it traces, the tracer loads (from the sources: its module beside tracing.ts) and instruments the DynamoDB client; elsewhere nothing', async () => {
  const traced = await dynamoDbTracing({ AWS_LAMBDA_FUNCTION_NAME: 'gitsync-refresh', TRACING_MODE: 'Active' });
  assert.equal(typeof traced.instrumentDynamoDb, 'function');
  const client = new DynamoDBClient({ region: 'us-east-1' });
  assert.equal(traced.instrumentDynamoDb!(client), client, 'Powertools instruments the client in place');
  client.destroy();
  assert.deepEqual(await dynamoDbTracing({ AWS_LAMBDA_FUNCTION_NAME: 'gitsync-refresh', TRACING_MODE: 'PassThrough' }), {});
});
