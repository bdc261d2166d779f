import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS, startDynamoDbLocal, type LocalDynamoDb } from '../../src/dev/dynamodb-local/start.ts';
import { createTableInput } from '../../src/dev/template.ts';

export interface TestTables {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  endpoint: string;
  tableName: string;
  tokensTableName: string;
  deliveriesTableName: string;
  indexName: string;
  /** Deletes the tables (and stops a server this file started). */
  close(): Promise<void>;
}

let ownServer: Promise<LocalDynamoDb> | undefined;

/** Endpoint of the run's DynamoDB Local; starts one for this process when run outside `npm test`. */
async function endpoint(): Promise<{ endpoint: string; owned?: LocalDynamoDb }> {
  const shared = process.env.GITSYNC_TEST_DYNAMODB_ENDPOINT;
  if (shared) return { endpoint: shared };
  ownServer ??= startDynamoDbLocal();
  const db = await ownServer;
  return { endpoint: db.endpoint, owned: db };
}

export function localClient(url: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint: url, ...LOCAL_AWS, maxAttempts: 2 });
}

/** Fresh, uniquely named tables built from template.yaml's definitions. */
export async function createTestTables(): Promise<TestTables> {
  const { endpoint: url, owned } = await endpoint();
  const client = localClient(url);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const suffix = randomUUID().slice(0, 8);
  const tableName = `diff-status-${suffix}`;
  const tokensTableName = `tokens-${suffix}`;
  await client.send(new CreateTableCommand(createTableInput('DiffStatusTable', tableName)));
  await client.send(new CreateTableCommand(createTableInput('TokensTable', tokensTableName)));
  const deliveriesTableName = `deliveries-${suffix}`;
  await client.send(new CreateTableCommand(createTableInput('WebhookDeliveriesTable', deliveriesTableName)));
  return {
    client,
    doc,
    endpoint: url,
    tableName,
    tokensTableName,
    deliveriesTableName,
    indexName: 'byStaleAt',
    async close() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      await client.send(new DeleteTableCommand({ TableName: tokensTableName })).catch(() => {});
      await client.send(new DeleteTableCommand({ TableName: deliveriesTableName })).catch(() => {});
      client.destroy();
      if (owned) {
        await owned.stop();
        ownServer = undefined;
      }
    },
  };
}
