import { after, beforeEach } from 'node:test';
import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createHttpAgent } from '../../../src/providers/http/agent.ts';
import type { GitProvider } from '../../../src/providers/provider.ts';
import { createProviderRegistry } from '../../../src/providers/registry.ts';
import { startFakeApi, type FakeApi } from './fake-api.ts';

/**
 * One provider of `type` configured at a fresh fake API, at a fixed or given time (`entry`: more
 * fields of its `GIT_PROVIDERS` entry, or a function of the API's URL giving them); routes and seen requests are reset before each
 * test, everything closed after the file.
 */
export async function fakeProvider(
  type: string,
  now: number | (() => number),
  maxBodyBytes?: number,
  entry: Record<string, unknown> | ((apiUrl: string) => Record<string, unknown>) = {},
): Promise<{ api: FakeApi; provider: GitProvider }> {
  const agent = createHttpAgent();
  const api = await startFakeApi();
  const registry = createProviderRegistry(parseProviderConfigs(JSON.stringify([{ type, webUrl: api.url, ...(typeof entry === 'function' ? entry(api.url) : entry) }])), {
    dispatcher: agent,
    clock: { now: typeof now === 'number' ? () => now : now },
    maxBodyBytes,
  });
  beforeEach(() => {
    api.routes.clear();
    api.requests.length = 0;
  });
  after(async () => {
    await agent.close();
    await api.close();
  });
  return { api, provider: registry.providers[0]! };
}
