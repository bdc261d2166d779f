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
 */
export class CapacityMeter {
  #totals: CapacityTotals = {};
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
        const consumed = (out.output as { ConsumedCapacity?: ConsumedCapacityShape | ConsumedCapacityShape[] }).ConsumedCapacity;
        for (const c of [consumed ?? []].flat()) this.#record(operation, c);
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
  }
}
