import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderConfig } from '../providers/config.ts';
import { secretsFor, type WebhookSecrets } from './secrets.ts';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** The hex HMAC-SHA256 GitHub puts in `X-Hub-Signature-256` (after `sha256=`). */
export function githubSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The configured GitHub host whose current or previous secret signed `body`, or null. Every
 * candidate is computed and compared in constant time.
 */
export function verifyGitHub(
  body: Uint8Array,
  signature: string | undefined,
  providers: readonly ProviderConfig[],
  secrets: WebhookSecrets,
): ProviderConfig | null {
  const hex = SIGNATURE.exec(signature?.trim().toLowerCase() ?? '')?.[1];
  if (!hex) return null;
  const given = Buffer.from(hex, 'hex');
  let match: ProviderConfig | null = null;
  for (const provider of providers.filter((p) => p.type === 'github')) {
    for (const secret of secretsFor(secrets, provider.host)) {
      const expected = createHmac('sha256', secret).update(body).digest();
      if (timingSafeEqual(expected, given)) match ??= provider;
    }
  }
  return match;
}

/**
 * The configured GitLab host whose current or previous secret is the `X-Gitlab-Token`, or null.
 * GitLab sends the secret itself, so both sides are hashed first: equal-length buffers for
 * a constant-time comparison that reveals nothing about the secret's length.
 */
export function verifyGitLab(
  token: string | undefined,
  providers: readonly ProviderConfig[],
  secrets: WebhookSecrets,
): ProviderConfig | null {
  if (!token) return null;
  const given = createHash('sha256').update(token).digest();
  let match: ProviderConfig | null = null;
  for (const provider of providers.filter((p) => p.type === 'gitlab')) {
    for (const secret of secretsFor(secrets, provider.host)) {
      if (timingSafeEqual(createHash('sha256').update(secret).digest(), given)) match ??= provider;
    }
  }
  return match;
}
