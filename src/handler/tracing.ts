import type { Env } from '../config/env.ts';
import type { FromEnvOptions } from '../system/from-env.ts';

/**
 * Whether Powertools Tracer would record anything here: inside Lambda (not under SAM local, which
 * has no X-Ray daemon), not switched off by `POWERTOOLS_TRACE_ENABLED=false`, and with the
 * function's X-Ray mode (`TRACING_MODE`, the template's `TracingMode`) not `PassThrough`: the
 * loop's invocations come from an untraced state machine, so PassThrough samples none of them.
 * Elsewhere the Tracer would be a no-op, so the X-Ray SDK (a sixth of the refresh bundle, about a
 * tenth of its cold import) is not even loaded.
 */
export function tracesHere(env: Env): boolean {
  return (
    env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined &&
    env['AWS_SAM_LOCAL'] !== 'true' &&
    env['POWERTOOLS_TRACE_ENABLED']?.toLowerCase() !== 'false' &&
    env['TRACING_MODE'] !== 'PassThrough'
  );
}

/** Powertools Tracer over the DynamoDB client where it would trace (`tracesHere`); elsewhere nothing is loaded. */
export async function dynamoDbTracing(env: Env): Promise<Pick<FromEnvOptions, 'instrumentDynamoDb'>> {
  if (!tracesHere(env)) return {};
  const tracer = new (await import('@aws-lambda-powertools/tracer')).Tracer();
  return { instrumentDynamoDb: (client) => tracer.captureAWSv3Client(client) };
}
