import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../src/dev/dynamodb-local/local-aws.ts';
import { startDynamoDbLocal, type LocalDynamoDb } from '../../src/dev/dynamodb-local/start.ts';
import { ROW_LEASE_INDEX, rowLeaseTableInput } from '../../bench/stores/row-lease-store.ts';
import { createTableInput } from '../../src/dev/template.ts';
import { createDocumentClient, SETUP_REQUEST_TIMEOUT_MS, type DocumentClientOptions } from '../../src/store/document-client.ts';

export interface TestTables {
  /** The client the functions use (document-client.ts), on DynamoDB Local. */
  doc: DynamoDBDocumentClient;
  endpoint: string;
  tableName: string;
  tokensTableName: string;
  deliveriesTableName: string;
  httpCacheTableName: string;
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

/** The functions' client (with its timeouts) on a DynamoDB Local endpoint. */
export function localDocClient(url: string, options: Omit<DocumentClientOptions, 'endpoint'> = {}): DynamoDBDocumentClient {
  return createDocumentClient({ endpoint: url, ...LOCAL_AWS, maxAttempts: 2, ...options });
}

/** Fresh, uniquely named tables built from template.yaml's definitions (`row-lease`: the index of the bench's row-lease design). */
export async function createTestTables(design: 'slots' | 'row-lease' = 'slots'): Promise<TestTables> {
  const { endpoint: url, owned } = await endpoint();
  const doc = localDocClient(url);
  const admin = localDocClient(url, { requestTimeoutMs: SETUP_REQUEST_TIMEOUT_MS });
  const suffix = randomUUID().slice(0, 8);
  const tableName = `diff-status-${suffix}`;
  const tokensTableName = `tokens-${suffix}`;
  await admin.send(new CreateTableCommand(design === 'slots' ? createTableInput('DiffStatusTable', tableName) : rowLeaseTableInput(tableName)));
  await admin.send(new CreateTableCommand(createTableInput('TokensTable', tokensTableName)));
  const deliveriesTableName = `deliveries-${suffix}`;
  await admin.send(new CreateTableCommand(createTableInput('WebhookDeliveriesTable', deliveriesTableName)));
  const httpCacheTableName = `http-cache-${suffix}`;
  await admin.send(new CreateTableCommand(createTableInput('HttpCacheTable', httpCacheTableName)));
  return {
    doc,
    endpoint: url,
    tableName,
    tokensTableName,
    deliveriesTableName,
    httpCacheTableName,
    indexName: design === 'slots' ? 'byDueShard' : ROW_LEASE_INDEX.IndexName,
    async close() {
      await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      await admin.send(new DeleteTableCommand({ TableName: tokensTableName })).catch(() => {});
      await admin.send(new DeleteTableCommand({ TableName: deliveriesTableName })).catch(() => {});
      await admin.send(new DeleteTableCommand({ TableName: httpCacheTableName })).catch(() => {});
      admin.destroy();
      doc.destroy();
      if (owned) {
        await owned.stop();
        ownServer = undefined;
      }
    },
  };
}

/** The refresh function's environment for `tables` on DynamoDB Local, as the template sets it (tests that import the handler). */
export function refreshFunctionEnv(tables: TestTables): Record<string, string> {
  return {
    TABLE_NAME: tables.tableName,
    TOKENS_TABLE_NAME: tables.tokensTableName,
    HTTP_CACHE_TABLE_NAME: tables.httpCacheTableName,
    STALE_INDEX_NAME: tables.indexName,
    DYNAMODB_ENDPOINT: tables.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'gitsync',
    POWERTOOLS_METRICS_NAMESPACE: 'gitsync-test',
    LOG_LEVEL: 'ERROR',
  };
}
