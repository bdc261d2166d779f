/**
 * A Microsoft Entra access token is a JWT (three base64url parts, the header starting `eyJ`);
 * a personal access token never holds a dot. So the token store may hold either for a host.
 */
const JWT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The `Authorization` header for a token: Entra tokens as Bearer, PATs as Basic with an empty user. */
export function authorizationFor(token: string): string {
  return JWT.test(token) ? `Bearer ${token}` : `Basic ${Buffer.from(`:${token}`).toString('base64')}`;
}
