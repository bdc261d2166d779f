import type { DiffStatusRow } from '../domain/row.ts';

/**
 * Whether a live claim other than `leaseId` holds `row`: a webhook delivery refreshing it in
 * its function (`claimForWebhook` writes `leaseId` and `leaseExpiresAt` until its write-back).
 * Asking the host for it again would only be refused at write-back, or would refuse the
 * holder's and send the row round once more. A lapsed or half-written lease holds nothing.
 */
export function heldByAnother(row: DiffStatusRow, leaseId: string, now: number): boolean {
  return row.leaseId !== undefined && row.leaseId !== leaseId && typeof row.leaseExpiresAt === 'number' && row.leaseExpiresAt > now;
}
