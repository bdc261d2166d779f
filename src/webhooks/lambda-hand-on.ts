import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CONTINUATION_FIELD, type Continuation } from './receive.ts';

/**
 * Hands the rest of a delivery on to the webhook function itself, invoked asynchronously
 * (`InvocationType: Event`: Lambda queues it and retries it twice on failure), so the answer
 * to GitHub is not held up by a branch tracked by thousands of rows.
 */
export function lambdaHandOn(functionName: string): (continuation: Continuation) => Promise<void> {
  const client = new LambdaClient({});
  return async (continuation) => {
    await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ [CONTINUATION_FIELD]: continuation })),
      }),
    );
  };
}
