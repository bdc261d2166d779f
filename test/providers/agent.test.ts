import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { request } from 'undici';
import { createHttpAgent } from '../../src/providers/http/agent.ts';
import { sendJson, startLocalServer } from './support/local-server.ts';

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
    const signal = AbortSignal.timeout(5_000);
    const answers = await Promise.all(
      Array.from({ length: wanted }, async () => {
        const res = await request(`${server.url}/x`, { dispatcher: agent, signal });
        await res.body.text();
        return res.statusCode;
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
    await Promise.all(
      Array.from({ length: 9 }, async () => (await request(`${server.url}/y`, { dispatcher: agent })).body.text()),
    );
    assert.equal(most, 3);
  } finally {
    await agent.close();
    await server.close();
  }
});
