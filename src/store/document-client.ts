import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The document client every function uses. `endpoint` is set only for a local DynamoDB; on
 * AWS the SDK finds region and credentials in the Lambda environment.
 */
export function createDocumentClient(options: { endpoint?: string | undefined } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(options.endpoint ? { endpoint: options.endpoint } : {});
  // Optional row fields are left out rather than written as NULL.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
