import type { Agent as AgentType } from 'undici';
import { Agent } from './undici-parts.ts';

export interface HttpAgentOptions {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** How long an idle connection is kept for the next tick (servers' keep-alive hints may lower it). */
  keepAliveTimeoutMs?: number;
  /**
   * Connections per origin. Default: no cap, because the Refresher's CONCURRENCY already bounds
   * requests in flight; a smaller pool would silently queue them (a fixed 10 capped every
   * deployment at 10 requests at once whatever CONCURRENCY said).
   */
  connections?: number;
}

/** A pooled keep-alive agent with timeouts; redirects are not followed (a token must not travel). */
export function createHttpAgent(options: HttpAgentOptions = {}): AgentType {
  return new Agent({
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    headersTimeout: options.headersTimeoutMs ?? 10_000,
    bodyTimeout: options.bodyTimeoutMs ?? 10_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
  });
}

let shared: AgentType | undefined;

/** The container's one agent, so connections survive from tick to tick. */
export function sharedHttpAgent(): AgentType {
  shared ??= createHttpAgent();
  return shared;
}
