import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DiffStatusRow } from '../../src/domain/row.ts';
import { shardLeaseKey } from '../../src/store/bookkeeping.ts';
import { onceSlot } from '../../src/store/due-slot.ts';
import { withWriteBack } from '../../src/store/store.ts';
import { Harness, POLICY, waitFor } from './support/harness.ts';

/** The Lambda running out of time mid-batch, and dying between claim and write-back. */
let h: Harness;
const rows: DiffStatusRow[] = [];

/** While set, the `acme/slow` repository answers only after a minute. */
let slow = true;

before(async () => {
  const latency = (route: { repo: string } | null) => (slow && route?.repo === 'slow' ? 60_000 : 0);
  h = await Harness.create({ random: () => 0, sim: { latency }, httpTimeoutMs: 60_000 });
  for (const owner of ['alice', 'bob', 'carol']) await h.linkToken(owner, `test-token-${owner}`);
  // The quick rows are the oldest: they are claimed and started first.
  for (let i = 0; i < 24; i++) {
    const quick = i < 12;
    const row = h.newRow({ chatId: `row-${i}`, ownerId: quick ? ['alice', 'bob'][i % 2]! : 'carol', repo: h.repo('acme', quick ? 'api' : 'slow') });
    const dueAt = row.staleAt! - 24 + i;
    rows.push({ ...row, staleAt: dueAt, dueSlot: onceSlot(dueAt) });
  }
  await h.putRows(rows);
});
after(() => h.close());

test('the budget runs out mid-batch: finished rows are written, the rest are released due at once, the ones in flight noted', async () => {
  const before = await h.rows();
  // The Lambda has 8 s left and keeps 2 s for write-backs: refreshing stops at 6 s, with the
  // quick rows done (even on a loaded machine) and the slow ones waiting for their answers.
  const summary = await h.tick({ batchSize: 50, tickBudgetMs: 30_000, safetyMarginMs: 2_000, remainingMs: () => 8_000 });
  const now = h.clock.now();
  assert.equal(summary.refreshed, 12, JSON.stringify(summary));
  assert.equal(summary.released, 12, JSON.stringify(summary));
  assert.equal(summary.writeFailures, 0);
  let inFlight = 0;
  for (const row of (await h.rows()).values()) {
    if (row.refreshedAt !== undefined) continue;
    assert.ok(row.staleAt! <= now, `${row.chatId} is due again at once`);
    assert.equal(row.leaseId, undefined);
    // In flight at the deadline (carol's 4 token slots): noted, so that a repeat backs off;
    // rows whose turn never came are untouched.
    if (row.lastErrorKind === 'deadline_exceeded') inFlight += 1;
    assert.equal(row.errorCount, row.lastErrorKind === 'deadline_exceeded' ? 1 : undefined, row.chatId);
    assert.equal(row.updatedAt, before.get(row.chatId)!.updatedAt);
  }
  assert.equal(inFlight, 4, 'the rows in flight are the ones noted');
  assert.deepEqual((await h.check()).violations, []);

  slow = false;
  const next = await h.tick({ batchSize: 50 });
  assert.equal(next.refreshed, summary.released, 'the next tick picks up exactly the released rows');
  assert.deepEqual((await h.check()).violations, []);
});

test('a tick abandoned between claim and write-back: its rows come back when the claim lapses, not before', async () => {
  h.clock.advance(POLICY.successTtlMs + 1_000);
  const claimedAt = h.clock.now();
  const claimsBefore = h.store.claims;
  // The process dies while refreshing: the refresh never answers and nothing is written.
  const abandoned = h.tick({ batchSize: 50 }, { refresher: { refresh: () => new Promise(() => {}) } });
  await waitFor(() => h.store.claims - claimsBefore === rows.length, 'every row is claimed');
  void abandoned;
  const afterClaims = h.clock.now();
  for (const row of (await h.rows()).values()) {
    assert.ok(row.staleAt! <= afterClaims + POLICY.claimTtlMs, `${row.chatId} comes back no later than its claim`);
  }
  // The claim is the tick's lease on the due-index shards, held until it lapses.
  for (const shard of [0, 1]) assert.equal((await h.row(shardLeaseKey(shard)))?.leaseExpiresAt !== undefined, true, `shard ${shard} is leased`);
  assert.deepEqual((await h.check()).violations, []);
  assert.equal((await h.tick()).claimed, 0, 'nobody takes a live claim');

  h.clock.advance(POLICY.claimTtlMs + 1);
  const recovered = await h.tick({ batchSize: 50 });
  assert.equal(recovered.refreshed, rows.length);
  for (const row of (await h.rows()).values()) assert.ok(row.refreshedAt! > afterClaims + POLICY.claimTtlMs);
  assert.deepEqual((await h.check()).violations, []);
});

test('a tick that dies halfway through its write-backs: written rows stay, the others come back with their claim', async () => {
  h.clock.advance(POLICY.successTtlMs + 1_000);
  const claimedAt = h.clock.now();
  const store = h.store;
  const dying = withWriteBack(store, (claimed, lease, update) =>
    Number(claimed.chatId.split('-')[1]) % 2 ? new Promise(() => {}) : store.writeBack(claimed, lease, update),
  );
  // A write slot each: hung writes must not queue the others behind them.
  void h.tick({ batchSize: 50, writeConcurrency: 50 }, { store: dying });
  await waitFor(() => store.writes.filter((w) => w.update.set.refreshedAt! > claimedAt).length === rows.length / 2, 'the even rows are written');
  const afterWrites = h.clock.now();
  const table = await h.rows();
  for (const row of table.values()) {
    const odd = Number(row.chatId.split('-')[1]) % 2 === 1;
    if (odd) {
      assert.ok(!(row.refreshedAt! > claimedAt), `${row.chatId} was not written`);
      assert.ok(row.staleAt! <= afterWrites + POLICY.claimTtlMs);
    } else assert.ok(row.refreshedAt! > claimedAt);
  }
  assert.deepEqual((await h.check()).violations, []);
  h.clock.advance(POLICY.claimTtlMs + 1);
  assert.deepEqual(await h.settle(), []);
  assert.deepEqual((await h.check()).violations, []);
});
