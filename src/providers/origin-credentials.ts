/**
 * Removes user info from an https origin (`https://user:token@host/o/r` ->
 * `https://host/o/r`). A row's origin is user data: a credential inside it must never be
 * stored, logged or sent anywhere. Other forms (scp-like, ssh://git@) are returned as is:
 * their user part is the ssh login, not a secret.
 */
export function stripOriginCredentials(origin: string): string {
  const trimmed = origin.trim();
  const match = /^(https?:\/\/)([^/?#]*@)(.*)$/i.exec(trimmed);
  if (!match) return trimmed;
  return `${match[1]}${match[3]}`;
}
