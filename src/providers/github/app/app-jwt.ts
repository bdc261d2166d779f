import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';

/** The App's private key cannot be used: the message says why, never the key. */
export class AppKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppKeyError';
  }
}

/**
 * Reads a PEM private key as GitHub hands it out (PKCS#1 `BEGIN RSA PRIVATE KEY`) or as PKCS#8;
 * Node's crypto reads both, so no conversion step is asked of the operator.
 */
export function readAppPrivateKey(pem: string): KeyObject {
  if (!/-----BEGIN (?:RSA )?PRIVATE KEY-----/.test(pem)) {
    throw new AppKeyError('the GitHub App private key is not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----" as downloaded from GitHub)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new AppKeyError(`the GitHub App private key cannot be read (${(err as { code?: string }).code ?? 'malformed PEM'})`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new AppKeyError(`the GitHub App private key must be RSA, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** GitHub refuses an `exp` more than 10 minutes ahead; 9 leaves room for clocks that run fast. */
export const APP_JWT_LIFETIME_S = 9 * 60;
/** `iat` this far in the past, as GitHub recommends, against clocks that run slow. */
export const APP_JWT_BACKDATE_S = 60;

/**
 * The App's JSON Web Token (RS256): `iss` the App id, `iat` a minute back, `exp` 9 minutes on.
 * `skewS` is how far GitHub's clock is ahead of ours (learned from its `Date` header when it
 * refused an `iat` as in the future).
 */
export function appJwt(key: KeyObject, appId: string, nowMs: number, skewS = 0): string {
  const now = Math.floor(nowMs / 1000) + Math.round(skewS);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ iat: now - APP_JWT_BACKDATE_S, exp: now + APP_JWT_LIFETIME_S, iss: appId }));
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
