import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretCheck } from './provider-webhook.ts';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** `sha256=<hex>` of the HMAC-SHA256 of `body` with `secret`: how GitHub and Bitbucket sign a delivery. */
export function sha256Signature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The check of one secret against a `sha256=<hex>` signature header (GitHub's
 * `X-Hub-Signature-256`, Bitbucket's `X-Hub-Signature`), in constant time; null when the
 * header is absent (a hook without a secret) or not of that form.
 */
export function sha256SignatureVerifier(header: string | undefined, body: Uint8Array): SecretCheck | null {
  const hex = SIGNATURE.exec(header?.trim().toLowerCase() ?? '')?.[1];
  if (!hex) return null;
  const given = Buffer.from(hex, 'hex');
  return (secret) => timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given);
}
