/**
 * Fake credentials and region shared by every client of one local run: DynamoDB Local
 * namespaces tables by access key and region.
 */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'gitsynclocal', secretAccessKey: 'gitsynclocal' },
} as const;
