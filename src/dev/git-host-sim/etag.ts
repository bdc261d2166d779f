import { createHash } from 'node:crypto';

/**
 * Validator derived from the exact body bytes (same body, same ETag), in GitHub's shape: a
 * weak SHA-256, `W/"<64 hex>"` (68 characters). Rows store these, so their size is what a
 * GitHub deployment's rows carry (the cost section bills row writes by size).
 */
export function etagFor(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('hex')}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag`. GET uses the weak comparison
 * (RFC 9110 13.1.2), so a `W/` prefix sent back by a client still matches.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const wanted = opaque(etag);
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || opaque(tag) === wanted);
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
