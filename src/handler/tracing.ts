import { join } from 'node:path';
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

type XrayTracer = typeof import('./xray-tracer.ts');

/** The tracer's file in the function's artifact: the template builds src/handler/xray-tracer.ts beside the handler's file. */
export const TRACER_FILE = 'xray-tracer.cjs';
/** Run from the sources: the module itself, named by a variable so that esbuild does not bundle it into the handler's file. */
const TRACER_SOURCE = './xray-tracer.ts';

function loadTracer(): XrayTracer | Promise<XrayTracer> {
  // Bundled (the template's `Format: cjs`: `__dirname` is the artifact's directory; the sources
  // are ES modules, without it): required by its path, synchronously, so where it traces the
  // X-Ray SDK still loads during the function's init.
  if (typeof __dirname === 'string') return require(join(__dirname, TRACER_FILE)) as XrayTracer;
  return import(TRACER_SOURCE) as Promise<XrayTracer>;
}

/** Powertools Tracer over the DynamoDB client where it would trace (`tracesHere`); elsewhere nothing is loaded. */
export async function dynamoDbTracing(env: Env): Promise<Pick<FromEnvOptions, 'instrumentDynamoDb'>> {
  if (!tracesHere(env)) return {};
  const tracer = new (await loadTracer()).Tracer();
  return { instrumentDynamoDb: (client) => tracer.captureAWSv3Client(client) };
}
