import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LastDeliverySource } from '../cadence/webhook-activity.ts';

/** Key of a host's last-delivery item in the deliveries table (the webhook function writes it). */
export function hostDeliveryKey(host: string): string {
  return `host ${host}`;
}

/** Each host's last verified webhook delivery, read from the deliveries table (a read per host). */
export class DynamoLastDeliveries implements LastDeliverySource {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
  }

  /** Hosts that never delivered are absent. */
  async lastDeliveries(hosts: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const found = await Promise.all(
      hosts.map(async (host) => {
        const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { deliveryKey: hostDeliveryKey(host) } }));
        const at: unknown = out.Item?.['lastDeliveryAt'];
        return typeof at === 'number' ? ([[host, at]] as const) : [];
      }),
    );
    return new Map(found.flat());
  }
}
