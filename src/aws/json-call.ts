import { partition } from '@aws-sdk/core/client';
import { DEFAULT_MAX_ATTEMPTS, isServerError, isThrottlingError, isTransientError, StandardRetryStrategy } from '@smithy/core/retry';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, RetryErrorType } from '@smithy/types';
import { HttpTimeoutError, sharedHttpAgent, type HttpAgent } from '../providers/http/agent.ts';

/**
 * Where and as whom a function calls AWS: the SDK's own region and credential providers, taken
 * from a client it already has (the DynamoDB client's `config`), so a call here resolves them
 * exactly as that client does.
 */
export interface AwsAccess {
  region: () => Promise<string>;
  credentials: () => Promise<AwsCredentialIdentity>;
  /** A fixed endpoint (a loopback stand-in in tests); default the service's regional one. */
  endpoint?: string;
  /** Default the container's shared agent. */
  http?: HttpAgent;
}

/** An AWS JSON 1.1 operation: the service's signing name and endpoint prefix, and its `X-Amz-Target`. */
export interface AwsJsonOperation {
  /** SigV4 signing name, e.g. `events`, `secretsmanager`. */
  service: string;
  /** The regional endpoint's first label, e.g. `events`, `secretsmanager`. */
  endpointPrefix: string;
  /** e.g. `AWSEvents.PutEvents`, `secretsmanager.GetSecretValue`. */
  target: string;
}

/**
 * An error answer of the service: `name` is its error code (`ThrottlingException`), as the SDK
 * names its exceptions, so the SDK's own retry classification reads it the same way.
 */
export class AwsCallError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, status: number, message: string | undefined) {
    super(`${code} (HTTP ${status})${message ? `: ${message}` : ''}`);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * One AWS JSON 1.1 call, signed with SigV4 and retried as the SDK retries (its standard
 * strategy: 3 attempts, jittered backoff, a longer base for throttling), over node:https.
 *
 * Why not the service's SDK client: EventBridge's and Secrets Manager's clients (their schemas
 * of every operation) were a sixth of the refresh bundle, parsed at every cold start though
 * gitsync calls one operation of each; the signer, hash, retry strategy and partition table
 * here are the ones the DynamoDB client has already loaded (docs/design/tick-speed.md,
 * "Fourth pass").
 */
export async function awsJsonCall(access: AwsAccess, op: AwsJsonOperation, body: unknown): Promise<unknown> {
  const region = await access.region();
  const url = new URL(access.endpoint ?? regionalEndpoint(op.endpointPrefix, region));
  const signer = new SignatureV4({ service: op.service, region, credentials: access.credentials, sha256: Hash.bind(null, 'sha256') });
  const http = access.http ?? sharedHttpAgent();
  const text = JSON.stringify(body);
  const retries = retryStrategyOf(op.service);
  let token = await retries.acquireInitialRetryToken(op.target);
  for (;;) {
    try {
      const answer = await attempt(http, signer, url, op.target, text);
      retries.recordSuccess(token);
      return answer;
    } catch (err) {
      // Throws the strategy's own error when no retry is left: the call's error is the last attempt's.
      token = await retries.refreshRetryTokenForRetry(token, { errorType: retryErrorType(err) }).catch(() => {
        throw err;
      });
    }
  }
}

/** One strategy per service per container, as an SDK client keeps one: its retry quota spans the calls. */
const strategies = new Map<string, StandardRetryStrategy>();

function retryStrategyOf(service: string): StandardRetryStrategy {
  let strategy = strategies.get(service);
  if (!strategy) {
    strategy = new StandardRetryStrategy(DEFAULT_MAX_ATTEMPTS);
    strategies.set(service, strategy);
  }
  return strategy;
}

/** A service's regional endpoint in the region's partition (`amazonaws.com`, `amazonaws.com.cn`, ...), as the SDK's endpoint rules give it without FIPS or dual-stack. */
export function regionalEndpoint(endpointPrefix: string, region: string): string {
  return `https://${endpointPrefix}.${region}.${partition(region).dnsSuffix}`;
}

async function attempt(http: HttpAgent, signer: SignatureV4, url: URL, target: string, body: string): Promise<unknown> {
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  const res = await http.request({
    url: url.href,
    method: 'POST',
    headers: signed.headers,
    body,
    signal: new AbortController().signal,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const ok = res.status >= 200 && res.status < 300;
  let parsed: unknown = {};
  try {
    if (text !== '') parsed = JSON.parse(text);
  } catch (err) {
    // An error page in front of the service (a proxy's 502) is an error of its status.
    if (ok) throw err;
  }
  if (ok) return parsed;
  throw errorOf(res.status, res.headers['x-amzn-errortype'], parsed);
}

/** The error code as AWS JSON answers name it: `x-amzn-errortype` or the body's `__type`, without its namespace and detail. */
export function errorOf(status: number, errorTypeHeader: string | string[] | undefined, body: unknown): AwsCallError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const raw = (typeof errorTypeHeader === 'string' ? errorTypeHeader : undefined) ?? (typeof fields['__type'] === 'string' ? fields['__type'] : undefined);
  const code = raw?.split(':')[0]?.split('#').at(-1) || `Http${status}`;
  const message = fields['message'] ?? fields['Message'];
  return new AwsCallError(code, status, typeof message === 'string' ? message : undefined);
}

/** What the SDK's retry middleware tells its strategy about a failed attempt. */
export function retryErrorType(err: unknown): RetryErrorType {
  if (err instanceof HttpTimeoutError) return 'TRANSIENT';
  if (typeof err !== 'object' || err === null) return 'CLIENT_ERROR';
  const e = err as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'THROTTLING';
  if (isTransientError(e)) return 'TRANSIENT';
  if (isServerError(e)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}
