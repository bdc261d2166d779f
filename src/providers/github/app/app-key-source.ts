import type { KeyObject } from 'node:crypto';
import type { AwsAccess } from '../../../aws/json-call.ts';
import { secretString } from '../../../aws/secret-value.ts';
import type { GitHubAppConfig } from './app-config.ts';
import { AppKeyError, readAppPrivateKey } from './app-jwt.ts';

/** Reads an App's PEM text from where its config says: a Secrets Manager secret or a file. */
export type AppKeyReader = (app: GitHubAppConfig) => Promise<string>;

/** The App's key, read once per container and kept (a failed read is tried again next time). */
export type AppKeySource = () => Promise<KeyObject>;

export function appKeySource(app: GitHubAppConfig, read: AppKeyReader): AppKeySource {
  let key: Promise<KeyObject> | undefined;
  return () => {
    key ??= read(app)
      .catch((err: unknown) => {
        const where = app.privateKeySecret !== undefined ? `secret ${app.privateKeySecret}` : `file ${app.privateKeyPath}`;
        throw new AppKeyError(`the GitHub App ${app.appId}'s private key cannot be read from ${where} (${err instanceof Error ? err.message : String(err)})`);
      })
      .then(readAppPrivateKey)
      .catch((err: unknown) => {
        key = undefined;
        throw err;
      });
    return key;
  };
}

/** Local runs and the CLI: `privateKeyPath` only (a secret needs AWS: see `from-env.ts`). */
export async function readKeyFile(app: GitHubAppConfig): Promise<string> {
  if (app.privateKeyPath === undefined) throw new AppKeyError('this process reads App keys from files only; set app.privateKeyPath');
  const { readFile } = await import('node:fs/promises');
  return readFile(app.privateKeyPath, 'utf8');
}

/**
 * On AWS: `privateKeySecret` from Secrets Manager (one GetSecretValue call: `appKeySource` keeps
 * the key for the container's life), or a file.
 */
export async function readKeySecretOrFile(app: GitHubAppConfig, aws: AwsAccess): Promise<string> {
  if (app.privateKeySecret === undefined) return readKeyFile(app);
  const value = await secretString(aws, app.privateKeySecret);
  if (value === undefined) throw new AppKeyError('the secret has no string value');
  return value;
}
