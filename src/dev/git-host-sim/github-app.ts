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
  readonly stats: { mints: number; mintsByInstallation: Record<number, number>; jwtRefused: number; installationLookups: number };
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
  const stats = { mints: 0, mintsByInstallation: {} as Record<number, number>, jwtRefused: 0, installationLookups: 0 };

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

  return {
    stats,
    answer(method, path, authorization, body) {
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
}

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join('');
}
