import type { Clock } from '../src/domain/clock.ts';
import type { DiffStatusRow } from '../src/domain/row.ts';
import { slotWrite } from '../src/store/slot-write.ts';
import type { RowUpdate } from '../src/store/store.ts';

/**
 * Due-index write units per partition (`dueShard` value) per second of virtual time, from the
 * write-backs that landed: a changed `dueSlot` writes its partition 1 unit, a move to another
 * shard 1 on each (DynamoDB's GSI accounting for a keys-plus-`dueSlot` index).
 */
export class IndexWriteMeter {
  readonly #clock: Clock;
  readonly #shardCount: number;
  readonly #perSecond = new Map<string, number>();

  constructor(clock: Clock, shardCount: number) {
    this.#clock = clock;
    this.#shardCount = shardCount;
  }

  readonly observe = (claimed: DiffStatusRow, update: RowUpdate): void => {
    const write = slotWrite(claimed, update, this.#shardCount);
    const second = Math.floor(this.#clock.now() / 1_000);
    const add = (shard: unknown) => {
      if (typeof shard !== 'string') return;
      const key = `${shard}@${second}`;
      this.#perSecond.set(key, (this.#perSecond.get(key) ?? 0) + 1);
    };
    const movedTo = write.set['dueShard'];
    if (update.remove.includes('dueShard')) add(claimed.dueShard);
    else if (movedTo !== undefined) {
      add(claimed.dueShard);
      add(movedTo);
    } else if (write.set['dueSlot'] !== undefined) add(claimed.dueShard);
  };

  /** The highest write units any one partition took in any one second. */
  maxPerSecond(): number {
    return Math.max(0, ...this.#perSecond.values());
  }
}
