/**
 * The two parts of undici gitsync runs, imported from their own modules rather than undici's
 * index: the index also loads fetch, WebSocket, EventSource, caches, mocks and proxy agents,
 * about a third of the refresh bundle and of its cold import (docs/design/tick-speed.md).
 * Tests may still pass any undici `Dispatcher` (a `MockAgent` from the index): `request`
 * only calls its `dispatch`.
 */
import type { Agent as AgentType, Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestMethod from 'undici/lib/api/api-request.js';

// Typed by undici's index, so declarations emitted from here name only `undici`.
export const Agent: typeof AgentType = AgentClass;

/** A GET (or other method) of `url` through `dispatcher`, as undici's `request(url, options)`. */
export function request(url: string, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const target = new URL(url);
  return requestMethod.call(dispatcher, { ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}
