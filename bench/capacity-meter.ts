import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Consumed capacity summed per operation label, e.g. `UpdateItem diff-status` or `Query diff-status/byStaleAt`. */
export interface CapacityTotals {
  [label: string]: { calls: number; read: number; write: number };
}

interface Units {
  CapacityUnits?: number;
}
interface ConsumedCapacityShape extends Units {
  TableName?: string;
  Table?: Units;
  GlobalSecondaryIndexes?: Record<string, Units>;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * Measures what the product's requests cost without changing them: SDK middleware asks every
 * command for `ReturnConsumedCapacity: INDEXES` and adds up the answer, table and each GSI apart.
 * `tableAlias` maps real (unique) table names to stable labels.
 *
 * Two corrections, counted in `raisedToMinimum`: DynamoDB Local reports 0 units for a Query or
 * Scan that found nothing, where DynamoDB bills the minimum read ("Queries that do not return
 * results consume the minimum read capacity units according to the type of read": 0.5 eventually
 * consistent, 1 strongly consistent); such an answer is counted at that minimum. And it bills a
 * BatchGetItem for the items it found only, where DynamoDB bills a read of an item that does not
 * exist like any read ("If you perform a read operation on an item that doesn't exist, DynamoDB
 * will still consume read throughput"): each key it found nothing for is added at the minimum.
 */
export class CapacityMeter {
  #totals: CapacityTotals = {};
  /** Empty Query / Scan answers and BatchGetItem keys without an item that DynamoDB Local reported at 0 units, counted at DynamoDB's minimum. */
  raisedToMinimum = 0;
  readonly #alias: (table: string) => string;

  constructor(tableAlias: (table: string) => string) {
    this.#alias = tableAlias;
  }

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input['ReturnConsumedCapacity'] = 'INDEXES';
        const out = await next(args);
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const output = out.output as { ConsumedCapacity?: ConsumedCapacityShape | ConsumedCapacityShape[]; Count?: number } & BatchGetOutput;
        for (const c of [output.ConsumedCapacity ?? []].flat()) {
          const empty = (operation === 'Query' || operation === 'Scan') && output.Count === 0 && !c.CapacityUnits;
          const missing = operation === 'BatchGetItem' ? keysWithoutItem(input as BatchGetInput, output, c.TableName ?? '') : 0;
          if (empty) this.raisedToMinimum += 1;
          this.raisedToMinimum += missing;
          this.#record(operation, empty ? minimumRead(c, input) : missing > 0 ? plusMissing(c, input as BatchGetInput, missing) : c);
        }
        return out;
      },
      { step: 'initialize', name: 'benchConsumedCapacity', override: true },
    );
  }

  #record(operation: string, c: ConsumedCapacityShape): void {
    const table = this.#alias(c.TableName ?? 'unknown');
    const read = READS.has(operation);
    // Without a `Table` part the total is the table's only when no index took a share.
    const whole = c.Table ?? (c.GlobalSecondaryIndexes ? {} : c);
    this.#add(`${operation} ${table}`, read, whole.CapacityUnits ?? 0, true);
    for (const [index, units] of Object.entries(c.GlobalSecondaryIndexes ?? {})) {
      this.#add(`${operation} ${table}/${index}`, read, units.CapacityUnits ?? 0, false);
    }
  }

  /** Units are read or write units by the operation (DynamoDB answers `CapacityUnits`). */
  #add(label: string, read: boolean, units: number, isCall: boolean): void {
    const t = (this.#totals[label] ??= { calls: 0, read: 0, write: 0 });
    if (isCall) t.calls += 1;
    if (read) t.read += units;
    else t.write += units;
  }

  totals(): CapacityTotals {
    return structuredClone(this.#totals);
  }

  reset(): void {
    this.#totals = {};
    this.raisedToMinimum = 0;
  }
}

interface BatchGetInput {
  RequestItems?: Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }>;
}
interface BatchGetOutput {
  Responses?: Record<string, unknown[]>;
  UnprocessedKeys?: Record<string, { Keys?: unknown[] }>;
}

/** Keys of `table` the BatchGetItem read and found no item for (asked, not answered, not left unprocessed). */
function keysWithoutItem(input: BatchGetInput, output: BatchGetOutput, table: string): number {
  const asked = input.RequestItems?.[table]?.Keys?.length ?? 0;
  const found = output.Responses?.[table]?.length ?? 0;
  const unprocessed = output.UnprocessedKeys?.[table]?.Keys?.length ?? 0;
  return Math.max(0, asked - found - unprocessed);
}

/** A BatchGetItem's units with each key that found no item at DynamoDB's minimum read. */
function plusMissing(c: ConsumedCapacityShape, input: BatchGetInput, missing: number): ConsumedCapacityShape {
  const units = (input.RequestItems?.[c.TableName ?? '']?.ConsistentRead === true ? 1 : 0.5) * missing;
  return { ...c, CapacityUnits: (c.CapacityUnits ?? 0) + units, Table: { CapacityUnits: (c.Table?.CapacityUnits ?? c.CapacityUnits ?? 0) + units } };
}

/** An empty answer at DynamoDB's minimum read, on the index it read when it read one. */
function minimumRead(c: ConsumedCapacityShape, input: Record<string, unknown>): ConsumedCapacityShape {
  const units = input['ConsistentRead'] === true ? 1 : 0.5;
  const index = input['IndexName'];
  return typeof index === 'string'
    ? { ...c, CapacityUnits: units, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { [index]: { CapacityUnits: units } } }
    : { ...c, CapacityUnits: units, Table: { CapacityUnits: units } };
}
