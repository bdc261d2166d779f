import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DocumentClientOptions {
  /** Set only for a local DynamoDB; on AWS the SDK finds region and credentials itself. */
  endpoint?: string | undefined;
  /** For a local DynamoDB (which namespaces tables by access key and region); on AWS the SDK's own. */
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call, retries included. Default: the SDK's (3). */
  maxAttempts?: number;
  /** Instruments the low-level client, e.g. Powertools Tracer's `captureAWSv3Client`. */
  instrument?: (client: DynamoDBClient) => DynamoDBClient;
  /** Per attempt (the SDK retries); defaults suit DynamoDB's millisecond answers. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Request timeout for table administration and bulk work outside a tick (creating tables,
 * seeding, full scans in local runs, benches and tests): a CreateTable that times out and is
 * retried fails as "preexisting", and a cold DynamoDB Local answers its first calls slowly.
 */
export const SETUP_REQUEST_TIMEOUT_MS = 30_000;

/** The document client every function uses. */
export function createDocumentClient(options: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    // The SDK waits forever by default: an endpoint that stops answering mid-tick (a network
    // partition drops packets, it does not refuse) would hold the tick until the Lambda is
    // killed. With timeouts the call fails, the tick ends cleanly and claims lapse as designed.
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 1_000,
      requestTimeout: options.requestTimeoutMs ?? 2_000,
      throwOnRequestTimeout: true,
    },
  });
  // Optional row fields are left out rather than written as NULL.
  return DynamoDBDocumentClient.from(options.instrument?.(client) ?? client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
