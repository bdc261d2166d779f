import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AwsAccess } from '../../src/aws/json-call.ts';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import {
  CHANGE_DETAIL_TYPE,
  ChangeEventRejected,
  changePublisherFor,
  EventBridgePublisher,
} from '../../src/events/eventbridge-publisher.ts';
import { startLocalServer, sendJson, type LocalServer } from '../providers/support/local-server.ts';
import { statusFor } from '../support/fakes.ts';

/** A loopback stand-in for the EventBridge API (AWS JSON 1.1): records calls, answers as told. */
let server: LocalServer;
let aws: AwsAccess;
const calls: { target: string | undefined; auth: string | undefined; body: { Entries: Record<string, unknown>[] } }[] = [];
let answer: Record<string, unknown> = { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };

before(async () => {
  server = await startLocalServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    calls.push({ target: req.headers['x-amz-target'] as string | undefined, auth: req.headers['authorization'], body: JSON.parse(body) });
    sendJson(res, 200, answer, { 'content-type': 'application/x-amz-json-1.1' });
  });
  aws = { region: async () => LOCAL_AWS.region, credentials: async () => LOCAL_AWS.credentials, endpoint: server.url };
});
after(() => server.close());

test('a refresh is published as one gitsync.DiffStatusChanged event on the configured bus', async () => {
  const status = statusFor({ repo: { host: 'github.com', path: 'o/r' }, number: 3 });
  const at = Date.UTC(2026, 10, 28, 12, 0, 0);
  await new EventBridgePublisher(aws, 'gitsync-bus').publish({ chatId: 'chat-1', reason: 'refreshed', status, changedFields: ['pullRequestState'], at });
  const call = calls.at(-1)!;
  assert.equal(call.target, 'AWSEvents.PutEvents');
  assert.match(call.auth ?? '', /\/us-east-1\/events\/aws4_request/, 'signed for EventBridge in the region');
  assert.equal(call.body.Entries.length, 1);
  const entry = call.body.Entries[0]!;
  assert.equal(entry['EventBusName'], 'gitsync-bus');
  assert.equal(entry['Source'], 'gitsync');
  assert.equal(entry['DetailType'], CHANGE_DETAIL_TYPE);
  assert.deepEqual(JSON.parse(entry['Detail'] as string), { chatId: 'chat-1', reason: 'refreshed', status, changedFields: ['pullRequestState'], at });
  assert.equal(entry['Time'], at / 1_000);
});

test('an entry EventBridge refuses is an error naming its code', async () => {
  answer = { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] };
  try {
    await assert.rejects(
      new EventBridgePublisher(aws, 'default').publish({
        chatId: 'chat-2',
        reason: 'marked_stale',
        gitBranch: 'b',
        gitRemoteOrigin: 'https://github.com/o/r',
        at: 0,
      }),
      (err) => err instanceof ChangeEventRejected && err.code === 'InternalFailure' && /try again/.test(err.message),
    );
  } finally {
    answer = { FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] };
  }
});

test('no bus configured: no publisher', () => {
  assert.equal(changePublisherFor(undefined, aws), undefined);
  assert.ok(changePublisherFor('default', aws) instanceof EventBridgePublisher);
});
