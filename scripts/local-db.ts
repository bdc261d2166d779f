/**
 * `npm run local-db [-- --port 8000] [--env-vars events/env.json]`: DynamoDB Local on
 * 127.0.0.1 with the tables of template.yaml, named as the env-vars file names them, for
 * `npm run invoke` (and `sam local invoke` via host.docker.internal). Runs until Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS } from '../src/dev/dynamodb-local/local-aws.ts';
import { startDynamoDbLocal } from '../src/dev/dynamodb-local/start.ts';
import { DEFAULT_ENV_VARS_FILE } from '../src/dev/lambda-env.ts';
import { createTableInput } from '../src/dev/template.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    'env-vars': { type: 'string', default: DEFAULT_ENV_VARS_FILE },
  },
});
const names = (JSON.parse(readFileSync(values['env-vars'], 'utf8')) as { Parameters?: Record<string, string> })
  .Parameters;
const tableName = names?.TABLE_NAME;
const tokensTableName = names?.TOKENS_TABLE_NAME;
const deliveriesTableName = names?.DELIVERIES_TABLE_NAME;
const httpCacheTableName = names?.HTTP_CACHE_TABLE_NAME;
if (!tableName || !tokensTableName || !deliveriesTableName || !httpCacheTableName) {
  throw new Error(`${values['env-vars']}: Parameters needs TABLE_NAME, TOKENS_TABLE_NAME, DELIVERIES_TABLE_NAME and HTTP_CACHE_TABLE_NAME`);
}

const db = await startDynamoDbLocal({ port: Number(values.port) });
const client = new DynamoDBClient({ endpoint: db.endpoint, ...LOCAL_AWS });
await client.send(new CreateTableCommand(createTableInput('DiffStatusTable', tableName)));
await client.send(new CreateTableCommand(createTableInput('TokensTable', tokensTableName)));
await client.send(new CreateTableCommand(createTableInput('WebhookDeliveriesTable', deliveriesTableName)));
await client.send(new CreateTableCommand(createTableInput('HttpCacheTable', httpCacheTableName)));
client.destroy();

console.log(`DynamoDB Local: ${db.endpoint} (in memory; tables ${tableName}, ${tokensTableName}, ${deliveriesTableName}, ${httpCacheTableName})`);
console.log(`credentials: AWS_ACCESS_KEY_ID=${LOCAL_AWS.credentials.accessKeyId} AWS_REGION=${LOCAL_AWS.region}. Ctrl-C stops it.`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void db.stop().then(() => process.exit(0));
  });
}
