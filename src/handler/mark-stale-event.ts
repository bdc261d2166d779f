import type { MarkStaleInput } from '../ops/mark-stale.ts';

export const MARK_STALE_DETAIL_TYPE = 'gitsync.MarkStale';

/** Upper bounds that keep one event from turning into an unbounded batch of writes. */
export const MAX_CHAT_IDS = 500;
const MAX_CHAT_ID_LENGTH = 256;
const MAX_BRANCH_LENGTH = 1024;
const MAX_ORIGIN_LENGTH = 2048;

const DETAIL_FIELDS = new Set(['chatId', 'chatIds', 'branch', 'origin']);

export type ParsedMarkStale = { ok: true; input: MarkStaleInput } | { ok: false; reason: string };

/**
 * Validates an EventBridge event of detail-type `gitsync.MarkStale` whose detail is
 * `{ chatId | chatIds, branch, origin }`. Strict on purpose: a misspelt field or a wrong
 * type is rejected with a reason instead of marking the wrong chats or nothing silently.
 */
export function parseMarkStaleEvent(event: unknown): ParsedMarkStale {
  if (!isObject(event)) return reject('the event is not a JSON object');
  if (event['detail-type'] !== MARK_STALE_DETAIL_TYPE) {
    return reject(`detail-type must be "${MARK_STALE_DETAIL_TYPE}", got ${JSON.stringify(event['detail-type'])}`);
  }
  const detail = event.detail;
  if (!isObject(detail)) return reject('detail must be an object');
  const unknown = Object.keys(detail).filter((key) => !DETAIL_FIELDS.has(key));
  if (unknown.length > 0) return reject(`detail has unknown field(s): ${unknown.join(', ')}`);

  const chatIds = readChatIds(detail);
  if (typeof chatIds === 'string') return reject(chatIds);
  const branch = readText(detail, 'branch', MAX_BRANCH_LENGTH);
  if (!branch.ok) return reject(branch.reason);
  const origin = readText(detail, 'origin', MAX_ORIGIN_LENGTH);
  if (!origin.ok) return reject(origin.reason);
  if (/\s/.test(origin.value)) return reject('detail.origin must not contain whitespace');
  return { ok: true, input: { chatIds, branch: branch.value, origin: origin.value } };
}

/** The chat ids, or the reason they are unusable. */
function readChatIds(detail: Record<string, unknown>): string[] | string {
  const hasOne = 'chatId' in detail;
  const hasMany = 'chatIds' in detail;
  if (hasOne === hasMany) return 'detail must carry exactly one of chatId and chatIds';
  const ids = hasOne ? [detail.chatId] : detail.chatIds;
  const field = hasOne ? 'detail.chatId' : 'detail.chatIds';
  if (!Array.isArray(ids)) return `${field} must be an array of strings`;
  if (ids.length === 0) return `${field} must not be empty`;
  if (ids.length > MAX_CHAT_IDS) return `${field} has ${ids.length} entries, at most ${MAX_CHAT_IDS} are allowed`;
  for (const [i, id] of ids.entries()) {
    const where = hasOne ? field : `${field}[${i}]`;
    if (typeof id !== 'string' || id.trim() === '') return `${where} must be a non-empty string`;
    if (id.length > MAX_CHAT_ID_LENGTH) return `${where} is longer than ${MAX_CHAT_ID_LENGTH} characters`;
  }
  return ids as string[];
}

function readText(
  detail: Record<string, unknown>,
  name: 'branch' | 'origin',
  maxLength: number,
): { ok: true; value: string } | { ok: false; reason: string } {
  const value = detail[name];
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, reason: `detail.${name} must be a non-empty string` };
  }
  if (value.length > maxLength) return { ok: false, reason: `detail.${name} is longer than ${maxLength} characters` };
  return { ok: true, value: value.trim() };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reject(reason: string): ParsedMarkStale {
  return { ok: false, reason };
}
