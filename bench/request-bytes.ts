import type { Socket } from 'node:net';
import { createHttpAgent, type HttpAgent } from '../src/providers/http/agent.ts';

/**
 * gitsync's HTTP agent, counting the bytes its connections write: what gitsync sends a git host
 * (request lines, headers, bodies) as the provider code builds it, for the bill's data
 * transfer out. Plain HTTP to the simulated host: TLS and TCP/IP framing are not in it.
 */
export function byteCountingAgent(): { agent: HttpAgent; bytesWritten(): number } {
  const sockets = new Set<Socket>();
  const agent = createHttpAgent({ onConnection: (socket) => sockets.add(socket) });
  return { agent, bytesWritten: () => [...sockets].reduce((n, s) => n + s.bytesWritten, 0) };
}
