import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParsedDelivery, ProviderWebhook, WebhookHeaders } from '../provider-webhook.ts';
import { branchOfRef, branchesOfRefs, invalidDelivery, jsonObject, nonEmptyText } from '../webhook-payload.ts';

/**
 * The subscription's custom header that may carry the secret (`X-Gitsync-Secret: <secret>`),
 * for a subscription that sends no basic credentials.
 */
export const SECRET_HEADER = 'x-gitsync-secret';

/** Events gitsync acts on (`eventType`), by the name used in metrics. */
const PULL_REQUEST_EVENTS: readonly string[] = ['git.pullrequest.created', 'git.pullrequest.updated', 'git.pullrequest.merged'];
const PUSH = 'git.push';

/** Longest event `id` used as a delivery id; Azure's are GUIDs. */
const MAX_ID_CHARS = 128;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Azure DevOps signs nothing: a service-hook subscription carries the secret gitsync checks,
 * as the password of its HTTP basic credentials (any user name) or in the custom header
 * `X-Gitsync-Secret`. Event name and delivery id are in the body (`eventType`, `id`).
 */
export const azureDevOpsWebhook: ProviderWebhook = {
  // No header names the sender: the credential is what marks the request (the type is listed
  // after those whose deliveries carry their own headers).
  recognises: (headers) => presentedSecret(headers) !== null,
  verifier(headers) {
    const given = presentedSecret(headers);
    if (given === null) return null;
    // Both sides hashed first: equal-length buffers, a comparison that reveals nothing of the length.
    const digest = sha256(given);
    return (secret) => timingSafeEqual(sha256(secret), digest);
  },
  identify(_headers, payload) {
    const body = jsonObject(payload);
    const eventType = nonEmptyText(body?.eventType) ?? '';
    const id = nonEmptyText(body?.id);
    const event = PULL_REQUEST_EVENTS.includes(eventType) || eventType === PUSH ? eventType : 'other';
    return { event, ...(id && id.length <= MAX_ID_CHARS ? { deliveryId: id } : {}) };
  },
  parse: (_headers, payload) => parseAzureDevOpsDelivery(payload),
};

/** The secret a request presents: the custom header's value, else the basic credentials' password; null when neither. */
export function presentedSecret(headers: WebhookHeaders): string | null {
  const custom = headers[SECRET_HEADER];
  if (custom) return custom;
  const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers['authorization'] ?? '')?.[1];
  if (!basic) return null;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/**
 * A service-hook delivery's body: a pull request created, updated or merged names its source
 * branch and repository (a fork's, for a PR from a fork); a push names every branch it
 * updated (the first as `branch`, the rest as `otherBranches`). Every other event (comments among them) is ignored.
 */
export function parseAzureDevOpsDelivery(body: unknown): ParsedDelivery {
  const payload = jsonObject(body);
  if (!payload) return invalidDelivery('the body must be a JSON object');
  const eventType = nonEmptyText(payload.eventType);
  if (!eventType) return invalidDelivery('eventType must be a non-empty string');
  if (!PULL_REQUEST_EVENTS.includes(eventType) && eventType !== PUSH) return { kind: 'ignored', reason: `event ${eventType} is not used` };
  const resource = jsonObject(payload.resource);
  if (!resource) return invalidDelivery('resource must be an object');
  if (eventType === PUSH) {
    const repoUrl = nonEmptyText(jsonObject(resource.repository)?.remoteUrl);
    if (!repoUrl) return invalidDelivery('resource.repository.remoteUrl must be a non-empty string');
    if (!Array.isArray(resource.refUpdates)) return invalidDelivery('resource.refUpdates must be an array');
    return branchesOfRefs(resource.refUpdates.map((u) => jsonObject(u)?.name), repoUrl);
  }
  const fork = jsonObject(jsonObject(resource.forkSource)?.repository);
  const repoUrl = nonEmptyText((fork ?? jsonObject(resource.repository))?.remoteUrl);
  if (!repoUrl) return invalidDelivery('resource.repository.remoteUrl must be a non-empty string');
  return branchOfRef(resource.sourceRefName, repoUrl);
}
