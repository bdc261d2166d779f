/**
 * A GitHub App that gitsync acts as on one `github` host: `"app": {"appId", "privateKeySecret"}`
 * on AWS (Secrets Manager name or ARN) or `"app": {"appId", "privateKeyPath"}` locally.
 */
export interface GitHubAppConfig {
  /** The App's id (digits) or client id (`Iv…`): the JWT's `iss`. */
  appId: string;
  /** Secrets Manager name or ARN of the PEM private key, exactly as GitHub hands it out. */
  privateKeySecret?: string;
  /** A PEM file on this machine (local runs, the CLI). */
  privateKeyPath?: string;
}

/** The `app` field of a `GIT_PROVIDERS` entry; `fail` throws the config's own error with the message. */
export function parseAppConfig(value: unknown, fail: (message: string) => never): GitHubAppConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('app must be an object {"appId", "privateKeySecret" | "privateKeyPath"}');
  const { appId, privateKeySecret, privateKeyPath, ...rest } = value as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) fail(`app has unknown field ${JSON.stringify(unknownKeys[0])}`);
  const id = typeof appId === 'number' && Number.isSafeInteger(appId) ? String(appId) : appId;
  if (typeof id !== 'string' || !/^(?:[1-9][0-9]{0,19}|Iv[0-9A-Za-z._-]{4,64})$/.test(id)) {
    fail(`app.appId must be the App's numeric id or its client id (Iv…), got ${JSON.stringify(appId)}`);
  }
  const given = [privateKeySecret, privateKeyPath].filter((v) => v !== undefined);
  if (given.length !== 1) fail('app needs exactly one of privateKeySecret (AWS) or privateKeyPath (local)');
  const source = given[0];
  if (typeof source !== 'string' || source.trim() === '') fail('app.privateKeySecret / app.privateKeyPath must be a non-empty string');
  return privateKeySecret !== undefined ? { appId: id, privateKeySecret: source.trim() } : { appId: id, privateKeyPath: source.trim() };
}
