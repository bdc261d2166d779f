import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/**
 * throttle / throughput: DynamoDB's throttling answers; server: a 500; lostAnswer: the
 * request lands but its answer is lost on the way back (a reset socket). `down()` makes the
 * endpoint refuse connections until `up()`.
 */
export type DynamoFaultKind = 'throttle' | 'throughput' | 'server' | 'lostAnswer';

/** Which low-level operations a rule hits: `Query`, `UpdateItem`, `GetItem`, `Scan`. */
export type DynamoOperation = 'Query' | 'UpdateItem' | 'GetItem' | 'Scan';

export interface DynamoFaultRule {
  kind: DynamoFaultKind;
  operations?: readonly DynamoOperation[];
  /** Chance per attempt; default 1. */
  probability?: number;
  /** The rule retires after this many injections; default unlimited. */
  times?: number;
}

/**
 * Faults injected into one DynamoDBClient's middleware stack, inside the SDK's retry loop:
 * every attempt can fail, so the SDK's own retries are exercised before the pipeline sees
 * an error. The document client built from the client shares its stack.
 */
export class DynamoFaults {
  readonly #rules: { rule: DynamoFaultRule; left: number }[] = [];
  readonly #random: () => number;
  #down = false;
  injected = 0;

  constructor(client: DynamoDBClient, random: () => number = Math.random) {
    this.#random = random;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        if (this.#down) {
          this.injected += 1;
          throw networkError('ECONNREFUSED', `connect ECONNREFUSED (injected, ${operation})`);
        }
        const rule = this.#draw(operation);
        if (!rule) return next(args);
        this.injected += 1;
        if (rule.kind === 'lostAnswer') {
          await next(args);
          throw networkError('ECONNRESET', `socket hang up after ${operation} was sent (injected)`);
        }
        throw serviceError(rule.kind, operation);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'reliabilityFaults' },
    );
  }

  add(rule: DynamoFaultRule): void {
    this.#rules.push({ rule, left: rule.times ?? Infinity });
  }

  /** The endpoint goes away: every request fails until `up()`. */
  down(): void {
    this.#down = true;
  }

  up(): void {
    this.#down = false;
  }

  clear(): void {
    this.#rules.length = 0;
    this.#down = false;
  }

  #draw(operation: string): DynamoFaultRule | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (entry.left <= 0) continue;
      if (rule.operations && !rule.operations.includes(operation as DynamoOperation)) continue;
      if (this.#random() >= (rule.probability ?? 1)) continue;
      entry.left -= 1;
      return rule;
    }
    return undefined;
  }
}

function serviceError(kind: Exclude<DynamoFaultKind, 'lostAnswer'>, operation: string): Error {
  const message = `injected ${kind} on ${operation}`;
  switch (kind) {
    case 'throttle':
      return new ThrottlingException({ message, $metadata: { httpStatusCode: 400 } });
    case 'throughput':
      return new ProvisionedThroughputExceededException({ message, $metadata: { httpStatusCode: 400 } });
    case 'server':
      return new InternalServerError({ message, $metadata: { httpStatusCode: 500 } });
  }
}

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
