import type { HttpAgent, HttpResponse } from './agent.ts';
import { ProviderError } from '../../domain/errors.ts';
import type { HttpAnswer } from './answer.ts';

export interface JsonGetRequest {
  dispatcher: HttpAgent;
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Larger bodies are refused while streaming, so a hostile answer cannot exhaust memory. */
  maxBodyBytes: number;
  /** Names the request in errors (never contains the token). */
  what: string;
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** JSON text sent with a POST. */
  body?: string;
}

/**
 * One request (a GET unless `method` says otherwise) that returns the parsed answer for any status. Network failures become
 * `ProviderError`; an abort by `signal` propagates unchanged so the caller sees its deadline.
 */
export async function getJson(req: JsonGetRequest): Promise<HttpAnswer> {
  let res: HttpResponse;
  try {
    res = await req.dispatcher.request({
      url: req.url,
      method: req.method ?? 'GET',
      headers: req.headers,
      signal: req.signal,
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
  } catch (err) {
    throw networkError(err, req);
  }
  const headers = flattenHeaders(res.headers);
  let text: string;
  try {
    text = await readBounded(res.body, Number(headers['content-length'] ?? 0), req);
  } catch (err) {
    res.body.destroy();
    throw err instanceof ProviderError ? err : networkError(err, req);
  }
  const ok = res.status >= 200 && res.status < 300;
  return { status: res.status, headers, body: ok ? parseJson(text, req.what, res.status) : tryParseJson(text) };
}

async function readBounded(body: AsyncIterable<Buffer>, declared: number, req: JsonGetRequest): Promise<string> {
  const tooLarge = () => new ProviderError(`${req.what}: answer is larger than ${req.maxBodyBytes} bytes`);
  if (declared > req.maxBodyBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > req.maxBodyBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkError(err: unknown, req: JsonGetRequest): unknown {
  if (req.signal.aborted) return err;
  const code = (err as { code?: unknown }).code;
  const detail = typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
  return new ProviderError(`${req.what}: request failed (${detail})`, undefined, { cause: err });
}

function parseJson(text: string, what: string, status: number): unknown {
  if (status === 204 || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(`${what}: answer is not JSON`, status);
  }
}

function tryParseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}
