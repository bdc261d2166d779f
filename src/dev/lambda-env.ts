import { readFileSync } from 'node:fs';
import { LOCAL_AWS } from './dynamodb-local/local-aws.ts';
import type { SamFunction } from './sam-function.ts';

export const DEFAULT_ENV_VARS_FILE = 'events/env.json';

/**
 * The environment a function runs with locally, as `sam local invoke --env-vars FILE` builds it:
 * the template's variables, overridden by the file's `Parameters` and then by its entry for the
 * function's logical id. As with SAM, the file can only set variables the template declares.
 * Credentials are the fixed local ones, so a local run can never reach a real AWS account.
 */
export function lambdaEnvironment(
  fn: SamFunction,
  envVarsFile: string | undefined,
  warn: (message: string) => void = () => {},
): Record<string, string> {
  const overrides = envVarsFile ? readEnvVars(envVarsFile) : {};
  const variables = { ...fn.environment };
  for (const scope of ['Parameters', fn.logicalId]) {
    for (const [name, value] of Object.entries(overrides[scope] ?? {})) {
      if (!(name in variables)) {
        if (scope === fn.logicalId) warn(`${envVarsFile}: ${fn.logicalId} does not declare ${name}; ignored`);
        continue;
      }
      variables[name] = value;
    }
  }
  return {
    ...variables,
    AWS_REGION: LOCAL_AWS.region,
    AWS_DEFAULT_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    // What sam local sets: Powertools Tracer then stays off (there is no X-Ray daemon).
    AWS_SAM_LOCAL: 'true',
    TZ: 'UTC',
  };
}

type EnvVarsFile = Record<string, Record<string, string>>;

function readEnvVars(path: string): EnvVarsFile {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: expected {"Parameters": {...}} and/or {"<FunctionLogicalId>": {...}}`);
  }
  for (const [scope, vars] of Object.entries(parsed)) {
    if (typeof vars !== 'object' || vars === null || Object.values(vars).some((v) => typeof v !== 'string')) {
      throw new Error(`${path}: "${scope}" must map variable names to strings`);
    }
  }
  return parsed as EnvVarsFile;
}
