import { Agent, request } from 'undici';
import type { Clock } from '../../../src/domain/clock.ts';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 5, 9)): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** One pooled agent per test file; close it in `after` so the process can exit. */
export function client() {
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  return {
    agent,
    async get(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Answer> {
      const res = await request(url, { method: 'GET', headers, dispatcher: agent, signal });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
    },
  };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
