import type { HostDialect } from './dialect.ts';
import { githubDialect } from './github-dialect.ts';

/** Every host the simulator speaks, by the provider type gitsync configures for it. */
export const SIM_DIALECTS: readonly HostDialect[] = [githubDialect];

/** The dialect of provider type `type`, or undefined when the simulator speaks none by that name. */
export function simDialect(type: string): HostDialect | undefined {
  return SIM_DIALECTS.find((d) => d.type === type);
}
