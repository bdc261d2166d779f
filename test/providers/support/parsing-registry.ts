import { parseProviderConfigs } from '../../../src/providers/config.ts';
import { createProviderRegistry, type ConfiguredProviderRegistry } from '../../../src/providers/registry.ts';

/** The registry of `GIT_PROVIDERS` entries, for tests that only parse (origins, PR URLs, API bases): none sends a request. */
export function parsingRegistry(entries: readonly Record<string, unknown>[]): ConfiguredProviderRegistry {
  return createProviderRegistry(parseProviderConfigs(JSON.stringify(entries)));
}
