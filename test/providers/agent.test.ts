import assert from 'node:assert/strict';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { createHttpAgent, HttpTimeoutError, type HttpAgent, type HttpResponse } from '../../src/providers/http/agent.ts';
import { sendJson, startLocalServer } from './support/local-server.ts';

const get = (agent: HttpAgent, url: string, signal = AbortSignal.timeout(5_000)) => agent.request({ url, method: 'GET', headers: {}, signal });

async function text(res: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

test('the default agent keeps more than 10 requests to one origin in flight (CONCURRENCY bounds them, not the pool)', async () => {
  const wanted = 16;
  const held: ServerResponse[] = [];
  // Answers nobody until `wanted` requests are open at once: a capped pool would never get there.
  const server = await startLocalServer((_req, res) => {
    held.push(res);
    if (held.length === wanted) for (const r of held) sendJson(r, 200, { ok: true });
  });
  const agent = createHttpAgent();
  try {
    const answers = await Promise.all(
      Array.from({ length: wanted }, async () => {
        const res = await get(agent, `${server.url}/x`);
        await text(res);
        return res.status;
      }),
    );
    assert.deepEqual(answers, new Array(wanted).fill(200));
  } finally {
    await agent.close();
    await server.close();
  }
});

test('an explicit connection cap still applies', async () => {
  let open = 0;
  let most = 0;
  const server = await startLocalServer((_req, res) => {
    most = Math.max(most, ++open);
    setTimeout(() => {
      open--;
      sendJson(res, 200, {});
    }, 20);
  });
  const agent = createHttpAgent({ connections: 3 });
  try {
    await Promise.all(Array.from({ length: 9 }, async () => text(await get(agent, `${server.url}/y`))));
    assert.equal(most, 3);
  } finally {
    await agent.close();
    await server.close();
  }
});

test('requests one after another reuse one kept-alive connection', async () => {
  // Its own server: the shared one's 1 s keep-alive hint is too short for node:http to reuse a connection.
  const ports = new Set<number>();
  const server = createHttpServer((req, res) => {
    ports.add(req.socket.remotePort!);
    sendJson(res, 200, { n: ports.size });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/z`;
  const connections: Socket[] = [];
  const agent = createHttpAgent({ onConnection: (socket) => connections.push(socket) });
  try {
    for (let i = 0; i < 3; i++) assert.equal(JSON.parse(await text(await get(agent, url))).n, 1);
    assert.equal(connections.length, 1);
  } finally {
    await agent.close();
    server.closeAllConnections();
    server.close();
  }
});

test('a POST sends its body with its length, and the answer comes back with lower-case header names', async () => {
  let received = '';
  const server = await startLocalServer((req, res) => {
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (received += chunk));
    req.on('end', () => sendJson(res, 201, { ok: true }, { 'X-RateLimit-Remaining': '41' }));
  });
  const agent = createHttpAgent();
  try {
    const body = JSON.stringify({ title: 'ü' });
    const res = await agent.request({ url: `${server.url}/p`, method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-ratelimit-remaining'], '41');
    await text(res);
    assert.equal(received, body);
    assert.equal(server.requests[0]!.headers['content-length'], String(Buffer.byteLength(body)));
  } finally {
    await agent.close();
    await server.close();
  }
});

test('an answer whose headers do not come in time fails with a headers timeout', async () => {
  const server = await startLocalServer(() => {});
  const agent = createHttpAgent({ headersTimeoutMs: 100 });
  try {
    await assert.rejects(get(agent, `${server.url}/slow`), (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'headers');
  } finally {
    await agent.close();
    await server.close();
  }
});

test('a body that stops arriving fails its reader with a body timeout', async () => {
  const server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
  });
  const agent = createHttpAgent({ bodyTimeoutMs: 100 });
  try {
    const res = await get(agent, `${server.url}/stall`);
    await assert.rejects(text(res), (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'body');
  } finally {
    await agent.close();
    await server.close();
  }
});

test('a TLS connection whose handshake never completes fails with a connect timeout', async () => {
  // A TCP listener that accepts and then says nothing: the TLS handshake never gets its answer.
  const silent = new Set<Socket>();
  const listener = createServer((socket) => silent.add(socket));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  const agent = createHttpAgent({ connectTimeoutMs: 100 });
  try {
    await assert.rejects(get(agent, `https://127.0.0.1:${port}/`), (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'connect');
  } finally {
    await agent.close();
    for (const socket of silent) socket.destroy();
    listener.close();
  }
});

test('an abort fails the request with the signal\'s reason, before and after the headers', async () => {
  const server = await startLocalServer((req, res) => {
    if (req.url === '/headers') {
      res.writeHead(200);
      res.write('x');
    }
  });
  const agent = createHttpAgent();
  try {
    const before = new AbortController();
    const pending = get(agent, `${server.url}/never`, before.signal);
    const reason = new Error('deadline');
    setTimeout(() => before.abort(reason), 50);
    await assert.rejects(pending, (err: unknown) => err === reason);

    const during = new AbortController();
    const res = await get(agent, `${server.url}/headers`, during.signal);
    const reading = text(res);
    during.abort(reason);
    await assert.rejects(reading, (err: unknown) => err === reason);

    await assert.rejects(get(agent, `${server.url}/never`, AbortSignal.abort(reason)), (err: unknown) => err === reason);
  } finally {
    await agent.close();
    await server.close();
  }
});
