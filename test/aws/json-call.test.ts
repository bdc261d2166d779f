import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsJsonCall, AwsCallError, errorOf, regionalEndpoint, retryErrorType, type AwsAccess } from '../../src/aws/json-call.ts';
import { HttpTimeoutError } from '../../src/providers/http/agent.ts';
import { startLocalServer, sendJson, type LocalServer } from '../providers/support/local-server.ts';

const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret', sessionToken: 'local-session' };
const OP = { service: 'events', endpointPrefix: 'events', target: 'AWSEvents.PutEvents' };

interface Seen {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A loopback AWS JSON service: records each request, answers from `answers` in turn (the last one repeats). */
let server: LocalServer;
let access: AwsAccess;
const seen: Seen[] = [];
let answers: { status: number; body: unknown; headers?: Record<string, string> }[] = [];

before(async () => {
  server = await startLocalServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ headers: req.headers, body });
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    if (typeof answer.body === 'string') {
      res.writeHead(answer.status, { 'content-type': 'text/html' });
      res.end(answer.body);
    } else sendJson(res, answer.status, answer.body, { 'content-type': 'application/x-amz-json-1.1', ...answer.headers });
  });
  access = { region: async () => 'eu-west-1', credentials: async () => CREDENTIALS, endpoint: server.url };
});
beforeEach(() => {
  seen.length = 0;
});
after(() => server.close());

test('a call is a SigV4-signed AWS JSON 1.1 POST whose signature covers what was sent', async () => {
  answers = [{ status: 200, body: { FailedEntryCount: 0 } }];
  assert.deepEqual(await awsJsonCall(access, OP, { Entries: [{ Detail: '{"a":1}' }] }), { FailedEntryCount: 0 });
  const { headers, body } = seen[0]!;
  assert.equal(body, '{"Entries":[{"Detail":"{\\"a\\":1}"}]}');
  assert.equal(headers['content-type'], 'application/x-amz-json-1.1');
  assert.equal(headers['x-amz-target'], 'AWSEvents.PutEvents');
  assert.equal(headers['x-amz-security-token'], 'local-session');
  const auth = String(headers['authorization']);
  assert.match(auth, /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/events\/aws4_request, SignedHeaders=/);
  // The server side's own signature of the request as received: equal only if the call signed
  // the headers, host and body it sent.
  const signedNames = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
  const url = new URL(server.url);
  const verifier = new SignatureV4({ service: 'events', region: 'eu-west-1', credentials: CREDENTIALS, sha256: Hash.bind(null, 'sha256') });
  const amzDate = String(headers['x-amz-date']);
  const resigned = await verifier.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: Object.fromEntries(signedNames.map((name) => [name, String(headers[name])])),
      body,
    },
    { signingDate: new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`) },
  );
  assert.equal(resigned.headers['authorization'], auth);
});

test('a server error is retried as the SDK retries it; the call then answers', async () => {
  answers = [{ status: 503, body: { __type: 'ServiceUnavailable', message: 'busy' } }, { status: 200, body: { ok: true } }];
  assert.deepEqual(await awsJsonCall(access, OP, {}), { ok: true });
  assert.equal(seen.length, 2);
});

test('an error page that is not JSON is an error of its status, retried when that status is transient', async () => {
  answers = [{ status: 502, body: '<html>Bad Gateway</html>' }, { status: 200, body: {} }];
  assert.deepEqual(await awsJsonCall(access, OP, {}), {});
  assert.equal(seen.length, 2);
});

test('throttling is retried; three attempts at most, then the last answer is the error', async () => {
  answers = [{ status: 400, body: { __type: 'com.amazonaws.events#ThrottlingException', message: 'slow down' } }];
  await assert.rejects(awsJsonCall(access, OP, {}), (err) => err instanceof AwsCallError && err.name === 'ThrottlingException' && err.$metadata.httpStatusCode === 400 && /slow down/.test(err.message));
  assert.equal(seen.length, 3);
});

test('a client error is not retried', async () => {
  answers = [{ status: 400, body: { __type: 'ValidationException', message: 'bad entry' } }];
  await assert.rejects(awsJsonCall(access, OP, {}), (err) => err instanceof AwsCallError && err.name === 'ValidationException');
  assert.equal(seen.length, 1);
});

test('the error code comes from x-amzn-errortype, else the body\'s __type, without namespace or detail', () => {
  const cases: [number, string | undefined, unknown, string][] = [
    [400, 'ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/', {}, 'ResourceNotFoundException'],
    [400, undefined, { __type: 'com.amazonaws.secretsmanager#ResourceNotFoundException' }, 'ResourceNotFoundException'],
    [400, 'AccessDeniedException', { __type: 'Other' }, 'AccessDeniedException'],
    [502, undefined, 'not json object', 'Http502'],
  ];
  for (const [status, header, body, code] of cases) assert.equal(errorOf(status, header, body).name, code, JSON.stringify(body));
  assert.match(errorOf(400, undefined, { Message: 'capital M' }).message, /capital M/);
});

test('an attempt\'s failure is classified as the SDK\'s retry middleware classifies it', () => {
  const network = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const cases: [unknown, string][] = [
    [new HttpTimeoutError('headers', 10_000), 'TRANSIENT'],
    [network, 'TRANSIENT'],
    [new AwsCallError('Http429', 429, undefined), 'THROTTLING'],
    [new AwsCallError('ThrottlingException', 400, undefined), 'THROTTLING'],
    [new AwsCallError('ServiceUnavailable', 503, undefined), 'TRANSIENT'],
    [new AwsCallError('InternalFailure', 501, undefined), 'SERVER_ERROR'],
    [new AwsCallError('ValidationException', 400, undefined), 'CLIENT_ERROR'],
    ['a string', 'CLIENT_ERROR'],
  ];
  for (const [err, type] of cases) assert.equal(retryErrorType(err), type, String(err));
});

test('the regional endpoint is in the region\'s partition', () => {
  assert.equal(regionalEndpoint('events', 'eu-west-1'), 'https://events.eu-west-1.amazonaws.com');
  assert.equal(regionalEndpoint('secretsmanager', 'cn-north-1'), 'https://secretsmanager.cn-north-1.amazonaws.com.cn');
});
