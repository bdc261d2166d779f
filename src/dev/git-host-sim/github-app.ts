import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import type { Clock } from '../../domain/clock.ts';

/** The simulated host acting as GitHub does for one GitHub App (tests and `npm start -- --github-app`). */
export interface SimAppOptions {
  appId: string;
  /** The App's public key (PEM or KeyObject): every JWT is verified with it. */
  publicKey: string | KeyObject;
  /** Account (lower-case login) -> installation id. */
  installations?: Record<string, number>;
  /** Default one hour, as on GitHub. */
  tokenLifetimeMs?: number;
}

export interface SimAppAnswer {
  status: number;
  body: unknown;
  /** `Link` of a list with more pages. */
  link?: string;
}

export interface SimApp {
  /** The answer to an App route (`/app/...`, `/repos/{o}/{r}/installation`); null for any other path. */
  answer(method: string, path: string, authorization: string | undefined, body: string): SimAppAnswer | null;
  /** The login an unexpired installation token acts as (`installation-<id>`); undefined otherwise. */
  tokenLogin(token: string): string | undefined;
  install(account: string, installationId: number): void;
  uninstall(account: string): void;
  /** Makes every token minted so far invalid (as a key rotation or a revocation does). */
  revokeTokens(): void;
  /** Logs an attempt at delivering event `guid` to the App's webhook, as GitHub's delivery log shows it. */
  recordDelivery(guid: string, statusCode: number, at: number): void;
  /** What a redelivery asked for answers (the test or the local run sends it): the status to log. */
  onRedeliver?: (guid: string) => Promise<number> | number;
  readonly stats: {
    mints: number;
    mintsByInstallation: Record<number, number>;
    jwtRefused: number;
    installationLookups: number;
    /** Event guids GitHub was asked to send again, in order. */
    redelivered: string[];
  };
}

const DOCS = 'https://docs.github.com/rest/apps/apps';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const READ_ONLY = new Set(['read']);

/**
 * GitHub's App authentication as its docs describe it: an RS256 JWT whose `iss` is the App,
 * `iat` in the past and `exp` at most 10 minutes after it; `GET /repos/{o}/{r}/installation`
 * (404 where the App is not installed); `POST /app/installations/{id}/access_tokens` minting a
 * token in the long `ghs_` format that expires.
 */
export function createSimApp(options: SimAppOptions, clock: Clock): SimApp {
  const publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  const installations = new Map(Object.entries(options.installations ?? {}).map(([a, id]) => [a.toLowerCase(), id]));
  const lifetime = options.tokenLifetimeMs ?? 60 * 60_000;
  const tokens = new Map<string, { installationId: number; expiresAt: number }>();
  const stats = { mints: 0, mintsByInstallation: {} as Record<number, number>, jwtRefused: 0, installationLookups: 0, redelivered: [] as string[] };
  /** The App's delivery log, oldest first. */
  const log: { id: number; guid: string; at: number; status: number; redelivery: boolean }[] = [];

  const refuse = (message: string): SimAppAnswer => {
    stats.jwtRefused++;
    return { status: 401, body: { message, documentation_url: DOCS, status: '401' } };
  };

  const checkJwt = (authorization: string | undefined): string | null => {
    const jwt = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const parts = jwt?.split('.');
    if (!parts || parts.length !== 3) return 'A JSON web token could not be decoded';
    const [header, claims, signature] = parts as [string, string, string];
    let head: { alg?: unknown };
    let body: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
      head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
      body = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8'));
    } catch {
      return 'A JSON web token could not be decoded';
    }
    if (head.alg !== 'RS256') return 'A JSON web token could not be decoded';
    const valid = createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, Buffer.from(signature, 'base64url'));
    if (!valid) return 'A JSON web token could not be decoded';
    if (String(body.iss) !== options.appId) return "'Issuer' claim ('iss') must be an Integer";
    const now = Math.floor(clock.now() / 1000);
    if (typeof body.iat !== 'number' || !Number.isInteger(body.iat) || body.iat > now) {
      return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
    }
    if (typeof body.exp !== 'number' || !Number.isInteger(body.exp) || body.exp > now + 600 || body.exp - body.iat > 600) {
      return "'Expiration time' claim ('exp') is too far in the future";
    }
    if (body.exp <= now) return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    return null;
  };

  const mint = (installationId: number, body: string): SimAppAnswer => {
    let asked: { permissions?: Record<string, unknown> } = {};
    try {
      asked = body === '' ? {} : JSON.parse(body);
    } catch {
      return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS } };
    }
    const permissions = asked.permissions ?? { pull_requests: 'read', metadata: 'read' };
    if (Object.values(permissions).some((level) => !READ_ONLY.has(String(level)))) {
      return { status: 422, body: { message: 'The permissions requested are not granted to this installation.', documentation_url: DOCS } };
    }
    const token = `ghs_${randomToken(100)}`;
    const expiresAt = clock.now() + lifetime;
    tokens.set(token, { installationId, expiresAt });
    stats.mints++;
    stats.mintsByInstallation[installationId] = (stats.mintsByInstallation[installationId] ?? 0) + 1;
    return { status: 201, body: { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions, repository_selection: 'all' } };
  };

  const deliveriesPage = (query: URLSearchParams): SimAppAnswer & { link?: string } => {
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const newestFirst = [...log].reverse();
    const cursor = query.get('cursor');
    const start = cursor === null ? 0 : Math.max(0, newestFirst.findIndex((d) => String(d.id) === cursor));
    const page = newestFirst.slice(start, start + perPage);
    const next = newestFirst[start + perPage];
    return {
      status: 200,
      body: page.map((d) => ({
        id: d.id,
        guid: d.guid,
        delivered_at: new Date(d.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        redelivery: d.redelivery,
        duration: 0.1,
        status: d.status >= 200 && d.status < 300 ? 'OK' : d.status === 0 ? 'Timeout' : 'Invalid HTTP Response',
        status_code: d.status,
        event: 'pull_request',
        action: 'synchronize',
        installation_id: null,
        repository_id: null,
      })),
      ...(next ? { link: `</app/hook/deliveries?per_page=${perPage}&cursor=${next.id}>; rel="next"` } : {}),
    };
  };

  const app: SimApp = {
    stats,
    recordDelivery: (guid, status, at) => void log.push({ id: log.length + 1, guid, at, status, redelivery: log.some((d) => d.guid === guid) }),
    answer(method, path, authorization, body) {
      const [pathname = '', search = ''] = path.split('?');
      const deliveries = /^(?:\/api\/v3)?\/app\/hook\/deliveries$/.test(pathname) && method === 'GET';
      const attempt = /^(?:\/api\/v3)?\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(pathname);
      if (deliveries || (attempt && method === 'POST')) {
        const problem = checkJwt(authorization);
        if (problem) return refuse(problem);
        if (deliveries) return deliveriesPage(new URLSearchParams(search));
        const original = log.find((d) => d.id === Number(attempt![1]));
        if (!original) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
        stats.redelivered.push(original.guid);
        const sent = app.onRedeliver ? Promise.resolve(app.onRedeliver(original.guid)) : Promise.resolve(202);
        void sent.then((status) => app.recordDelivery(original.guid, status, clock.now()));
        return { status: 202, body: {} };
      }
      path = pathname;
      const lookup = /^(?:\/api\/v3)?\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
      const access = /^(?:\/api\/v3)?\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
      if (!(lookup && method === 'GET') && !(access && method === 'POST')) return null;
      const problem = checkJwt(authorization);
      if (problem) return refuse(problem);
      if (lookup) {
        stats.installationLookups++;
        const id = installations.get(decodeURIComponent(lookup[1]!).toLowerCase());
        return id === undefined
          ? { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } }
          : { status: 200, body: { id, app_id: Number(options.appId) || options.appId, account: { login: decodeURIComponent(lookup[1]!) }, target_type: 'Organization' } };
      }
      const installationId = Number(access![1]);
      if (![...installations.values()].includes(installationId)) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
      return mint(installationId, body);
    },
    tokenLogin(token) {
      const minted = tokens.get(token);
      if (!minted) return undefined;
      if (minted.expiresAt <= clock.now() || ![...installations.values()].includes(minted.installationId)) return undefined;
      return `installation-${minted.installationId}`;
    },
    install: (account, installationId) => void installations.set(account.toLowerCase(), installationId),
    uninstall: (account) => void installations.delete(account.toLowerCase()),
    revokeTokens: () => tokens.clear(),
  };
  return app;
}

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join('');
}
