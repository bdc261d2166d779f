import type { LambdaClient } from '@aws-sdk/client-lambda';
import { CONTINUATION_FIELD, type Continuation } from './receive.ts';

/**
 * Hands the rest of a delivery on to the webhook function itself, invoked asynchronously
 * (`InvocationType: Event`: Lambda queues it and retries it twice on failure), so the answer
 * to GitHub is not held up by a branch tracked by thousands of rows.
 */
export function lambdaHandOn(functionName: string): (continuation: Continuation) => Promise<void> {
  let client: LambdaClient | undefined;
  return async (continuation) => {
    // Only a delivery too large for one invocation gets here: the SDK is loaded then, not with
    // every cold start of the function. The bundle leaves it out (template.yaml's External): on
    // Lambda it comes from the runtime's own SDK.
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    client ??= new LambdaClient({});
    await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ [CONTINUATION_FIELD]: continuation })),
      }),
    );
  };
}
