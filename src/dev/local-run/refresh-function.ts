import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { TickSummary } from '../../refresh/tick-summary.ts';
import { localLambdaContext } from '../lambda-context.ts';
import { samFunction } from '../sam-function.ts';
import type { CfnTemplate } from '../template.ts';
import type { InvokeRefresh } from './executor.ts';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The template's refresh function, loaded in this process as Lambda would run it: its
 * environment is the template's variables, then the same names from this process's
 * environment (so `SHARD_COUNT=4 npm start` works), then `overrides` (tables, endpoint, hosts),
 * set before the handler module is imported. Each call gets a context whose remaining time
 * counts down from the function's timeout. The handler's own logs and EMF metrics would mix
 * with the progress view, so they are off unless LOG_LEVEL / POWERTOOLS_METRICS_DISABLED say otherwise.
 * Change events would go to AWS EventBridge, so they are off unless CHANGE_EVENT_BUS names a bus.
 */
export function loadRefreshFunction(template: CfnTemplate, logicalId: string, overrides: Record<string, string>): Promise<InvokeRefresh> {
  return loadFunction<unknown, TickSummary>(template, logicalId, overrides);
}

/** Any function of the template, loaded the same way (the webhook function of a local run, too). */
export async function loadFunction<E, R>(
  template: CfnTemplate,
  logicalId: string,
  overrides: Record<string, string>,
): Promise<(event: E) => Promise<R>> {
  const fn = samFunction(template, logicalId);
  const fromProcess = Object.fromEntries(
    Object.keys(fn.environment).flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const { NODE_OPTIONS: _runtimeOnly, ...variables } = { ...fn.environment, ...fromProcess, ...overrides };
  Object.assign(process.env, variables, {
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'SILENT',
    POWERTOOLS_METRICS_DISABLED: process.env['POWERTOOLS_METRICS_DISABLED'] ?? 'true',
    CHANGE_EVENT_BUS: process.env['CHANGE_EVENT_BUS'] ?? '',
  });

  const [moduleName, exportName] = splitHandler(fn.handler);
  const entry = ((fn.buildProperties['EntryPoints'] ?? []) as string[]).find((e) => basename(e, extname(e)) === moduleName);
  if (!entry) throw new Error(`${logicalId}: no EntryPoints file for handler ${fn.handler}`);
  const mod = (await import(pathToFileURL(resolve(fn.codeUri, entry)).href)) as Record<string, unknown>;
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw new Error(`${entry} does not export a function "${exportName}"`);

  return (payload) =>
    (handler as Handler<E, R>)(
      payload,
      localLambdaContext({ functionName: logicalId, region: process.env['AWS_REGION'] ?? 'local', memoryMb: String(fn.memoryMb), timeoutMs: fn.timeoutSeconds * 1000 }),
    );
}

/** `refresh.handler` -> module `refresh`, export `handler`. */
function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${handler}" is not <module>.<export>`);
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}
