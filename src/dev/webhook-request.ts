import { randomUUID } from 'node:crypto';
import { githubSignature } from '../providers/github/webhook.ts';
import { sha256Signature } from '../providers/hmac-signature.ts';
import type { FunctionUrlEvent } from '../webhooks/receive.ts';

/** The function-URL event (payload format 2.0) of a signed GitHub delivery, as Lambda passes it. */
export function githubDeliveryEvent(options: {
  event: string;
  payload: unknown;
  secret: string;
  deliveryId?: string;
  /** Function URLs base64-encode bodies they take for binary; the receiver must decode first. */
  base64?: boolean;
}): FunctionUrlEvent {
  const body = Buffer.from(typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload), 'utf8');
  return functionUrlEvent(
    {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/gitsync-dev',
      'x-github-event': options.event,
      'x-github-delivery': options.deliveryId ?? randomUUID(),
      'x-hub-signature-256': githubSignature(options.secret, body),
    },
    body,
    options.base64 ?? false,
  );
}

/** The function-URL event of a GitLab delivery with its token (and `Idempotency-Key`, as newer GitLab sends). */
export function gitlabDeliveryEvent(options: {
  event: string;
  payload: unknown;
  token: string;
  idempotencyKey?: string;
}): FunctionUrlEvent {
  const body = Buffer.from(JSON.stringify(options.payload), 'utf8');
  return functionUrlEvent(
    {
      'content-type': 'application/json',
      'user-agent': 'GitLab/18.0.0',
      'x-gitlab-event': options.event,
      'x-gitlab-token': options.token,
      'idempotency-key': options.idempotencyKey ?? randomUUID(),
    },
    body,
    false,
  );
}

/**
 * The function-URL event of a Bitbucket delivery, signed with `secret` (`X-Hub-Signature`):
 * Cloud names it with `X-Request-UUID` (and `X-Hook-UUID`), Data Center with `X-Request-Id`.
 */
export function bitbucketDeliveryEvent(options: {
  product: 'cloud' | 'server';
  eventKey: string;
  payload: unknown;
  secret: string;
  deliveryId?: string;
}): FunctionUrlEvent {
  const body = Buffer.from(JSON.stringify(options.payload), 'utf8');
  const id = options.deliveryId ?? randomUUID();
  const naming: Record<string, string> =
    options.product === 'cloud'
      ? { 'user-agent': 'Bitbucket-Webhooks/2.0', 'x-request-uuid': id, 'x-hook-uuid': '{sim-hook}' }
      : { 'user-agent': 'Bitbucket Data Center (gitsync-dev)', 'x-request-id': id };
  return functionUrlEvent(
    { 'content-type': 'application/json', 'x-event-key': options.eventKey, 'x-hub-signature': sha256Signature(options.secret, body), ...naming },
    body,
    false,
  );
}

/**
 * The function-URL event of an Azure DevOps service-hook delivery: the envelope Azure posts
 * (`id`, `eventType`, `publisherId`, `resource`, ...), with the subscription's secret as the
 * password of its basic credentials or in the custom header `X-Gitsync-Secret`. Azure signs nothing.
 */
export function azureDevOpsDeliveryEvent(options: {
  eventType: string;
  resource: unknown;
  secret: string;
  /** How the subscription sends the secret. Default basic credentials. */
  via?: 'basic' | 'header';
  id?: string;
}): FunctionUrlEvent {
  const body = Buffer.from(
    JSON.stringify({
      subscriptionId: '00000000-0000-0000-0000-0000000000aa',
      notificationId: 1,
      id: options.id ?? randomUUID(),
      eventType: options.eventType,
      publisherId: 'tfs',
      message: { text: options.eventType },
      resource: options.resource,
      resourceVersion: '1.0',
      createdDate: new Date().toISOString(),
    }),
    'utf8',
  );
  const credential: Record<string, string> =
    (options.via ?? 'basic') === 'basic'
      ? { authorization: `Basic ${Buffer.from(`gitsync:${options.secret}`).toString('base64')}` }
      : { 'x-gitsync-secret': options.secret };
  return functionUrlEvent({ 'content-type': 'application/json; charset=utf-8', ...credential }, body, false);
}

export function functionUrlEvent(headers: Record<string, string>, body: Buffer, base64: boolean): FunctionUrlEvent {
  return {
    headers,
    body: base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: base64,
    requestContext: { http: { method: 'POST' } },
  };
}
