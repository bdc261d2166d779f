import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderConfig } from '../providers/config.ts';
import { secretsFor, type WebhookSecrets } from './secrets.ts';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** The hex HMAC-SHA256 GitHub puts in `X-Hub-Signature-256` (after `sha256=`). */
export function githubSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Every configured GitHub host whose current or previous secret signed `body` (empty: none).
 * Several when hosts share a secret (`"*"`): the delivery's repository then tells whose it
 * is. Every candidate is computed and compared in constant time.
 */
export function verifyGitHub(
  body: Uint8Array,
  signature: string | undefined,
  providers: readonly ProviderConfig[],
  secrets: WebhookSecrets,
): ProviderConfig[] {
  const hex = SIGNATURE.exec(signature?.trim().toLowerCase() ?? '')?.[1];
  if (!hex) return [];
  const given = Buffer.from(hex, 'hex');
  return providers.filter((provider) => {
    if (provider.type !== 'github') return false;
    let signed = false;
    for (const secret of secretsFor(secrets, provider.host)) {
      if (timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given)) signed = true;
    }
    return signed;
  });
}

/**
 * Every configured GitLab host whose current or previous secret is the `X-Gitlab-Token`
 * (empty: none; several when hosts share one). GitLab sends the secret itself, so both sides
 * are hashed first: equal-length buffers for a constant-time comparison that reveals nothing
 * about the secret's length.
 */
export function verifyGitLab(
  token: string | undefined,
  providers: readonly ProviderConfig[],
  secrets: WebhookSecrets,
): ProviderConfig[] {
  if (!token) return [];
  const given = createHash('sha256').update(token).digest();
  return providers.filter((provider) => {
    if (provider.type !== 'gitlab') return false;
    let signed = false;
    for (const secret of secretsFor(secrets, provider.host)) {
      if (timingSafeEqual(createHash('sha256').update(secret).digest(), given)) signed = true;
    }
    return signed;
  });
}
