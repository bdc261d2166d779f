import { AuthError } from '../../domain/errors.ts';

/** Atlassian's prefix of an app password (API tokens start `ATAT`, access tokens `ATCT`). */
const APP_PASSWORD_PREFIX = 'ATBB';

/**
 * The `Authorization` header for a stored Bitbucket Cloud token. `email:token` is an
 * Atlassian API token, sent as Basic with the account's e-mail; a bare token is a workspace,
 * project or repository access token, sent as Bearer. App passwords were removed in July
 * 2026: one is refused here with a clear error instead of a 401 from Bitbucket.
 */
export function bitbucketCloudAuthorization(token: string): string {
  const colon = token.indexOf(':');
  const secret = colon < 0 ? token : token.slice(colon + 1);
  if (secret.startsWith(APP_PASSWORD_PREFIX)) {
    throw new AuthError(
      401,
      'this looks like a Bitbucket app password (ATBB...); app passwords were removed in July 2026: link an API token as "email:token" or an access token',
    );
  }
  if (colon < 0) return `Bearer ${token}`;
  if (colon === 0 || secret === '') throw new AuthError(401, 'a Bitbucket API token must be stored as "email:token" with both parts');
  return `Basic ${Buffer.from(token, 'utf8').toString('base64')}`;
}
