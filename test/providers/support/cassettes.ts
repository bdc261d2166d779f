import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startLocalServer, type LocalServer } from './local-server.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The recorded GitLab answers, kept in the repository (`test/fixtures/gitlab`). Missing
 * fixtures fail loudly: these tests never skip.
 */
export function cassettesDir(): string {
  const dir = join(REPO_ROOT, 'test', 'fixtures', 'gitlab');
  if (!existsSync(join(dir, 'FetchPullRequestStatus'))) throw new Error(`GitLab cassettes not found in ${dir}`);
  return dir;
}

export interface Interaction {
  method: string;
  /** Raw path (percent-encoding kept) and sorted query: what the replay matches on. */
  key: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Every cassette, by path relative to the cassettes folder ("FetchPullRequestStatus/x.yaml"). */
export function loadCassettes(): Map<string, Interaction[]> {
  const root = cassettesDir();
  const out = new Map<string, Interaction[]>();
  for (const folder of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(root, folder.name)).filter((f) => f.endsWith('.yaml'))) {
      const path = join(root, folder.name, file);
      out.set(relative(root, path), parseCassette(readFileSync(path, 'utf8')));
    }
  }
  return out;
}

function parseCassette(text: string): Interaction[] {
  const doc = parse(text) as { interactions: { request: { method: string; url: string }; response: { code: number; headers: Record<string, string[]>; body: string } }[] };
  return doc.interactions.map(({ request, response }) => ({
    method: request.method,
    key: requestKey(request.url),
    status: response.code,
    // The recorder replaced most values with "stripped"; those are not answers.
    headers: Object.fromEntries(
      Object.entries(response.headers)
        .filter(([, v]) => v[0] !== undefined && v[0] !== 'stripped')
        .map(([k, v]) => [k.toLowerCase(), v[0]!]),
    ),
    body: response.body,
  }));
}

/** `/api/v4/projects/a%2Fb/merge_requests?x=1&y=2` whatever the query order or host. */
export function requestKey(url: string): string {
  const u = new URL(url, 'http://replay.invalid');
  const query = new URLSearchParams(u.search);
  query.sort();
  const q = query.toString();
  return `${u.pathname}${q ? `?${q}` : ''}`;
}

export interface Replay extends LocalServer {
  /** Requests that matched no interaction (answered 599 so a test cannot pass by accident). */
  unmatched: string[];
  used: Set<Interaction>;
}

const REVIEWERS = /\/merge_requests\/\d+\/reviewers(\?|$)/;

/**
 * Serves `interactions` by method + path + query; `extra` answers what they lack. An
 * unrecorded reviewers request gets GitLab's 404 for an unknown route, as from a server
 * older than 15.3.
 */
export async function startReplay(
  interactions: readonly Interaction[],
  options: { extra?: readonly Interaction[]; addHeaders?: (i: Interaction) => Record<string, string> } = {},
): Promise<Replay> {
  const unmatched: string[] = [];
  const used = new Set<Interaction>();
  const server = await startLocalServer((req, res) => {
    const key = requestKey(req.url ?? '');
    const match = [...interactions, ...(options.extra ?? [])].find((i) => i.method === req.method && i.key === key);
    if (!match && REVIEWERS.test(key)) {
      // The recordings were made without this request: the replay is a GitLab without the endpoint.
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"404 Not Found"}');
      return;
    }
    if (!match) {
      unmatched.push(`${req.method} ${key}`);
      res.writeHead(599).end();
      return;
    }
    used.add(match);
    const headers = { ...match.headers, ...options.addHeaders?.(match) };
    if (headers['etag'] && req.headers['if-none-match'] === headers['etag']) {
      res.writeHead(304, { etag: headers['etag'] }).end();
      return;
    }
    res.writeHead(match.status, headers).end(match.body);
  });
  return Object.assign(server, { unmatched, used });
}

/**
 * The newer recordings store raw diffs JSON-escaped (a literal backslash-n between lines);
 * decode those, leave real multi-line diffs alone.
 */
export function rawDiffText(body: string): string {
  return !body.includes('\n') && body.includes('\\n') ? (JSON.parse(`"${body}"`) as string) : body;
}

/** A `/diffs` answer built from a recorded raw diff: one entry per file, its hunks as `diff`. */
export function diffsFromRaw(raw: string): string {
  const files = raw.split(/^diff --git /m).filter((s) => s.trim() !== '');
  return JSON.stringify(files.map((file) => ({ diff: file.slice(Math.max(0, file.indexOf('\n@@') + 1)) })));
}
