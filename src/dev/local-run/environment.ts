import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, SETUP_REQUEST_TIMEOUT_MS } from '../../store/document-client.ts';
import { LOCAL_AWS } from '../dynamodb-local/local-aws.ts';
import { startDynamoDbLocal, type LocalDynamoDb } from '../dynamodb-local/start.ts';
import { createTableInput, loadTemplate } from '../template.ts';
import type { LocalRunOptions } from './args.ts';

/** The DynamoDB side of a local run: where the tables are and how to reach them. */
export interface Environment {
  /** `embedded` DynamoDB Local started here, an `endpoint` given on the command line, or `aws`. */
  kind: 'embedded' | 'endpoint' | 'aws';
  endpoint: string | undefined;
  doc: DynamoDBDocumentClient;
  tableName: string;
  tokensTableName: string;
  deliveriesTableName: string;
  httpCacheTableName: string;
  indexName: string;
  /** Settings the refresh handler reads from its environment, as Lambda would give them. */
  handlerEnv: Record<string, string>;
  /** Stops what this run started (DynamoDB Local); tables on other endpoints stay. */
  close(): Promise<void>;
}

/**
 * Brings up DynamoDB for the run: DynamoDB Local on 127.0.0.1 with tables from template.yaml
 * unless an endpoint or existing tables were named. On an endpoint without table names, fresh
 * uniquely named tables are created there.
 */
export async function bringUpEnvironment(options: LocalRunOptions, env: NodeJS.ProcessEnv): Promise<Environment> {
  let local: LocalDynamoDb | undefined;
  if (options.dynamodbEndpoint === undefined && options.table === undefined) local = await startDynamoDbLocal();
  const endpoint = local?.endpoint ?? options.dynamodbEndpoint;
  const kind = local ? 'embedded' : endpoint ? 'endpoint' : 'aws';
  // DynamoDB Local namespaces tables by access key and region: the handler must use the same.
  const localCredentials = kind === 'embedded' || (kind === 'endpoint' && !env['AWS_ACCESS_KEY_ID']);
  // The functions' client (document-client.ts) for the run's own table work: creating tables,
  // seeding, the census's full scans. Those calls are not a tick's: a cold emulator's first
  // CreateTable can take seconds, and retrying one that timed out would fail as "preexisting".
  const doc = createDocumentClient({ endpoint, ...(localCredentials ? LOCAL_AWS : {}), requestTimeoutMs: SETUP_REQUEST_TIMEOUT_MS });
  try {
    const template = loadTemplate();
    const rowsInput = createTableInput('DiffStatusTable', options.table ?? `gitsync-diff-status-${randomUUID().slice(0, 8)}`, template);
    const tokensInput = createTableInput('TokensTable', options.tokensTable ?? `gitsync-tokens-${randomUUID().slice(0, 8)}`, template);
    const httpCacheInput = createTableInput('HttpCacheTable', options.httpCacheTable ?? `gitsync-http-cache-${randomUUID().slice(0, 8)}`, template);
    const deliveriesInput = createTableInput('WebhookDeliveriesTable', `gitsync-webhook-deliveries-${randomUUID().slice(0, 8)}`, template);
    if (options.table === undefined) {
      await doc.send(new CreateTableCommand(rowsInput));
      await doc.send(new CreateTableCommand(tokensInput));
      await doc.send(new CreateTableCommand(httpCacheInput));
    }
    // Webhooks are only simulated, so their delivery ids always go to a fresh table of the run.
    if (options.simulate) await doc.send(new CreateTableCommand(deliveriesInput));
    const indexName = rowsInput.GlobalSecondaryIndexes?.[0]?.IndexName;
    if (!indexName) throw new Error('template.yaml: DiffStatusTable has no due index');
    const handlerEnv: Record<string, string> = {
      TABLE_NAME: rowsInput.TableName!,
      TOKENS_TABLE_NAME: tokensInput.TableName!,
      HTTP_CACHE_TABLE_NAME: httpCacheInput.TableName!,
      DELIVERIES_TABLE_NAME: deliveriesInput.TableName!,
      STALE_INDEX_NAME: indexName,
      ...(endpoint ? { DYNAMODB_ENDPOINT: endpoint } : {}),
      ...(localCredentials
        ? {
            AWS_REGION: LOCAL_AWS.region,
            AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
          }
        : {}),
    };
    return {
      kind,
      endpoint,
      doc,
      tableName: rowsInput.TableName!,
      tokensTableName: tokensInput.TableName!,
      deliveriesTableName: deliveriesInput.TableName!,
      httpCacheTableName: httpCacheInput.TableName!,
      indexName,
      handlerEnv,
      async close() {
        doc.destroy();
        await local?.stop();
      },
    };
  } catch (err) {
    doc.destroy();
    await local?.stop();
    throw err;
  }
}
