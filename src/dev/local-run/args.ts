import { parseArgs } from 'node:util';
import { SIM_DIALECTS } from '../git-host-sim/dialects.ts';

/** What `npm start -- ...` was asked to do. */
export interface LocalRunOptions {
  /** Rows to seed into the simulated host and the table (simulated mode only). */
  rows: number;
  /** Wall-clock seconds to run; 0 runs until Ctrl-C. */
  durationS: number;
  /** Factor by which the state machine's waits (and the once-a-minute schedule) are shortened. */
  speed: number;
  json: boolean;
  seed: string;
  /** Broken repositories (500s, hangs) once the first sweep is done. */
  faults: boolean;
  /** Share of the simulated host's changes it sends a signed webhook delivery for (0 = none). */
  webhookShare: number;
  /** An existing DynamoDB endpoint instead of the embedded DynamoDB Local. */
  dynamodbEndpoint: string | undefined;
  /** Existing diff-status table to use; with no endpoint this means AWS itself. */
  table: string | undefined;
  tokensTable: string | undefined;
  /** Existing HTTP cache table, named with the other two. */
  httpCacheTable: string | undefined;
  /** The simulated Git host runs unless GIT_PROVIDERS names real hosts. */
  simulate: boolean;
  /** The provider type the simulated host speaks ("github", "bitbucket-cloud", ...). */
  host: string;
  /** The simulated GitHub acts as a GitHub App installed on most of its organisations. */
  githubApp: boolean;
  help: boolean;
}

/** Bad command line; the message says which option and why. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm start -- [options]
  --rows N                 rows to seed (default 200; simulated mode)
  --duration S             seconds to run (default 120; 0 = until Ctrl-C)
  --speed K                shorten the state machine's waits K times (default 1; HTTP timeouts stay real)
  --json                   print the summary as one JSON object on the last line
  --seed S                 seed of the simulated world (default 1)
  --faults                 after the first sweep, one repository answers 500s and one hangs
  --webhook-share F        share of the simulated host's changes sent as signed webhooks (default 0.5; 0 = polling only)
  --github-app             the simulated GitHub acts as a GitHub App installed on all organisations but one
  --host TYPE              the kind of host simulated: ${SIM_DIALECTS.map((d) => d.type).join(', ')} (default github)
  --dynamodb-endpoint URL  use this DynamoDB instead of starting DynamoDB Local
  --table NAME             use this existing diff-status table (AWS itself without --dynamodb-endpoint)
  --tokens-table NAME      use this existing tokens table
  --http-cache-table NAME  use this existing HTTP cache table
With GIT_PROVIDERS set, the simulated Git host is off and nothing is seeded: the loop refreshes the
rows already in the named tables against the configured hosts.`;

export function parseLocalRunArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LocalRunOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        rows: { type: 'string', default: '200' },
        duration: { type: 'string', default: '120' },
        speed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        seed: { type: 'string', default: '1' },
        faults: { type: 'boolean', default: false },
        'webhook-share': { type: 'string', default: '0.5' },
        host: { type: 'string', default: 'github' },
        'github-app': { type: 'boolean', default: false },
        'dynamodb-endpoint': { type: 'string' },
        table: { type: 'string' },
        'tokens-table': { type: 'string' },
        'http-cache-table': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const endpoint = values['dynamodb-endpoint'];
  if (endpoint !== undefined && !(URL.canParse(endpoint) && /^https?:$/.test(new URL(endpoint).protocol))) {
    throw new UsageError(`--dynamodb-endpoint must be an http(s) URL, got "${endpoint}"`);
  }
  const table = nonEmpty(values.table, '--table');
  const tokensTable = nonEmpty(values['tokens-table'], '--tokens-table');
  const httpCacheTable = nonEmpty(values['http-cache-table'], '--http-cache-table');
  if ((table === undefined) !== (tokensTable === undefined) || (table === undefined) !== (httpCacheTable === undefined)) {
    throw new UsageError('--table, --tokens-table and --http-cache-table go together: name all three existing tables or none');
  }
  const simulate = !env['GIT_PROVIDERS']?.trim();
  if (!SIM_DIALECTS.some((d) => d.type === values.host)) {
    throw new UsageError(`--host must be one of ${SIM_DIALECTS.map((d) => d.type).join(', ')}, got "${values.host}"`);
  }
  if (values['github-app'] && (values.host !== 'github' || !simulate)) {
    throw new UsageError('--github-app needs the simulated GitHub (--host github, GIT_PROVIDERS unset)');
  }
  if (!simulate && table === undefined) {
    throw new UsageError('with GIT_PROVIDERS set the simulated host is off and nothing is seeded: name the tables to refresh (--table, --tokens-table, --http-cache-table)');
  }
  return {
    rows: wholeNumber(values.rows, '--rows', 0, 100_000),
    durationS: wholeNumber(values.duration, '--duration', 0, 7 * 24 * 3600),
    speed: positiveNumber(values.speed, '--speed', 1, 100),
    json: values.json,
    seed: values.seed,
    faults: values.faults,
    webhookShare: share(values['webhook-share']),
    dynamodbEndpoint: endpoint,
    table,
    tokensTable,
    httpCacheTable,
    simulate,
    host: values.host,
    githubApp: values['github-app'],
    help: values.help,
  };
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${name} must not be empty`);
  return value.trim();
}

function wholeNumber(raw: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function share(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`--webhook-share must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
}

function positiveNumber(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a number between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}
