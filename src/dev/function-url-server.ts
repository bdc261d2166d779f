import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionUrlEvent, FunctionUrlResponse } from '../webhooks/receive.ts';

export interface FunctionUrlServer {
  /** `http://127.0.0.1:PORT/`: where deliveries are POSTed. */
  url: string;
  close(): Promise<void>;
}

/** Larger bodies are cut off as Lambda's 6 MB invocation limit would refuse them. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * A Lambda function URL on 127.0.0.1 for local runs: each request becomes the payload-2.0
 * event Lambda would build (lower-case `headers`, the body as text, or base64 when it is not
 * UTF-8) and the handler's `{statusCode, headers, body}` becomes the HTTP answer.
 */
export async function startFunctionUrlServer(invoke: (event: FunctionUrlEvent) => Promise<FunctionUrlResponse>): Promise<FunctionUrlServer> {
  const server = createServer((req, res) => {
    void readBody(req).then(
      async (body) => {
        const text = body?.toString('utf8');
        const binary = text === undefined || !Buffer.from(text, 'utf8').equals(body!);
        const event: FunctionUrlEvent = {
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v])),
          body: binary ? (body ?? Buffer.alloc(0)).toString('base64') : text,
          isBase64Encoded: binary,
          requestContext: { http: { method: req.method ?? 'GET' } },
        };
        const out = await invoke(event);
        res.writeHead(out.statusCode, out.headers).end(out.body);
      },
      () => res.writeHead(413).end(),
    ).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
