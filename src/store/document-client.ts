import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DocumentClientOptions {
  /** Set only for a local DynamoDB; on AWS the SDK finds region and credentials itself. */
  endpoint?: string | undefined;
  /** Instruments the low-level client, e.g. Powertools Tracer's `captureAWSv3Client`. */
  instrument?: (client: DynamoDBClient) => DynamoDBClient;
}

/** The document client every function uses. */
export function createDocumentClient(options: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(options.endpoint ? { endpoint: options.endpoint } : {});
  // Optional row fields are left out rather than written as NULL.
  return DynamoDBDocumentClient.from(options.instrument?.(client) ?? client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
