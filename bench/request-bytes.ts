import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';

/**
 * An undici agent that counts the bytes its connections write: what gitsync sends a git host
 * (request lines, headers, bodies) as the provider code builds it, for the bill's data
 * transfer out. Plain HTTP to the simulated host: TLS and TCP/IP framing are not in it.
 */
export function byteCountingAgent(): { agent: Agent; bytesWritten(): number } {
  const sockets = new Set<Socket>();
  const connect = buildConnector({});
  const agent = new Agent({
    connect(options, callback) {
      connect(options, (err, socket) => {
        if (socket) sockets.add(socket as Socket);
        // undici's callback takes (null, socket) or (err, null).
        if (err) callback(err, null);
        else callback(null, socket!);
      });
    },
  });
  return { agent, bytesWritten: () => [...sockets].reduce((n, s) => n + s.bytesWritten, 0) };
}
