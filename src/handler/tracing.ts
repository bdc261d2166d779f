import type { Env } from '../config/env.ts';

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
