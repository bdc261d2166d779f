import type { Env } from '../config/env.ts';
import type { FromEnvOptions } from '../system/from-env.ts';

/**
 * Whether Powertools Tracer would trace here: inside Lambda (not under SAM local, which has no
 * X-Ray daemon) and not switched off by `POWERTOOLS_TRACE_ENABLED=false`. Elsewhere the Tracer
 * would be a no-op, so the X-Ray SDK, about a third of the refresh function's cold import, is
 * not even loaded.
 */
export function tracesHere(env: Env): boolean {
  return (
    env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined &&
    env['AWS_SAM_LOCAL'] !== 'true' &&
    env['POWERTOOLS_TRACE_ENABLED']?.toLowerCase() !== 'false'
  );
}

/** Powertools Tracer over the DynamoDB client where it would trace (`tracesHere`); elsewhere nothing is loaded. */
export async function dynamoDbTracing(env: Env): Promise<Pick<FromEnvOptions, 'instrumentDynamoDb'>> {
  if (!tracesHere(env)) return {};
  const tracer = new (await import('@aws-lambda-powertools/tracer')).Tracer();
  return { instrumentDynamoDb: (client) => tracer.captureAWSv3Client(client) };
}
