/**
 * DynamoDB's "slow down" answers, after the SDK's own retries: a partition over its write or
 * read rate (ProvisionedThroughputExceededException, also what a base-table write gets when
 * its GSI cannot keep up), the on-demand table or account throttle (ThrottlingException), or
 * the account's request rate (RequestLimitExceeded). None of them says anything about the row.
 */
const THROTTLE_NAMES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

export function isThrottle(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $retryable?: { throttling?: unknown } };
  return (typeof e.name === 'string' && THROTTLE_NAMES.has(e.name)) || e.$retryable?.throttling === true;
}
