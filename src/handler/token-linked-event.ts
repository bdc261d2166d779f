export const TOKEN_LINKED_DETAIL_TYPE = 'gitsync.TokenLinked';

const MAX_OWNER_ID_LENGTH = 256;

export type ParsedTokenLinked = { ok: true; ownerId: string } | { ok: false; reason: string };

/**
 * Validates an EventBridge event of detail-type `gitsync.TokenLinked` whose detail is
 * `{ ownerId }` (the owner that linked a git token). Strict, as mark-stale's: an unknown
 * field or a wrong type is refused with a reason.
 */
export function parseTokenLinkedEvent(event: unknown): ParsedTokenLinked {
  if (typeof event !== 'object' || event === null) return { ok: false, reason: 'the event is not a JSON object' };
  const { 'detail-type': type, detail } = event as Record<string, unknown>;
  if (type !== TOKEN_LINKED_DETAIL_TYPE) return { ok: false, reason: `detail-type must be "${TOKEN_LINKED_DETAIL_TYPE}", got ${JSON.stringify(type)}` };
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ok: false, reason: 'detail must be an object' };
  const unknown = Object.keys(detail).filter((key) => key !== 'ownerId');
  if (unknown.length > 0) return { ok: false, reason: `detail has unknown field(s): ${unknown.join(', ')}` };
  const ownerId: unknown = (detail as Record<string, unknown>)['ownerId'];
  if (typeof ownerId !== 'string' || ownerId.trim() === '') return { ok: false, reason: 'detail.ownerId must be a non-empty string' };
  if (ownerId.length > MAX_OWNER_ID_LENGTH) return { ok: false, reason: `detail.ownerId is longer than ${MAX_OWNER_ID_LENGTH} characters` };
  return { ok: true, ownerId };
}

/** Whether an event names the token-linked detail-type (so the mark-stale function routes it). */
export function isTokenLinkedEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as Record<string, unknown>)['detail-type'] === TOKEN_LINKED_DETAIL_TYPE;
}
