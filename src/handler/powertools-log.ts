import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Log } from '../domain/log.ts';

/**
 * The pipeline's `Log` over a Powertools Logger. The pipeline passes plain objects of
 * JSON-able values, which is what Powertools' narrower `LogAttributes` type describes.
 */
export function powertoolsLog(logger: Logger): Log {
  const attrs = (extra: object[]) => extra as LogAttributes[];
  return {
    info: (message, ...extra) => logger.info(message, ...attrs(extra)),
    warn: (message, ...extra) => logger.warn(message, ...attrs(extra)),
    error: (message, ...extra) => logger.error(message, ...attrs(extra)),
  };
}
