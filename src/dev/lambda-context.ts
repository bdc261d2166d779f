import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * The context Lambda passes a handler, for local invocations: the remaining time counts down
 * from `timeoutMs`, as the runtime's does.
 */
export function localLambdaContext(options: { functionName: string; region: string; memoryMb: string; timeoutMs: number }): Context {
  const deadline = Date.now() + options.timeoutMs;
  const { functionName } = options;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:123456789012:function:${functionName}`,
    memoryLimitInMB: options.memoryMb,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
