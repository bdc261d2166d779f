import type { Clock } from '../domain/clock.ts';
import { describeError } from '../domain/errors.ts';
import type { Log } from '../domain/log.ts';
import type { CadencePolicy } from './policy.ts';
import { webhookHostsAt, type WebhookHosts } from './next-due.ts';

/** The hosts whose PRs poll at a safety cadence now, with that cadence. */
export interface WebhookActivity {
  activeHosts(): Promise<WebhookHosts>;
}

/** Where each host's last verified delivery is recorded (the webhook function writes it). */
export interface LastDeliverySource {
  lastDeliveries(hosts: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** Look-ups of the last deliveries are reused this long: a container's ticks read them once a minute. */
const CACHE_MS = 60_000;

/**
 * Webhook activity of the configured hosts: the `"webhooks": true` ones always, the others
 * while they deliver (read from `source`, cached for a minute per container).
 */
export function webhookActivity(options: {
  hosts: readonly string[];
  configured: readonly string[];
  /** Hosts with a GitHub App: their failed deliveries are redelivered (`appSafetyTtlMs`). */
  appHosts?: readonly string[];
  source: LastDeliverySource | undefined;
  policy: CadencePolicy;
  clock: Clock;
}): WebhookActivity {
  let cached: { at: number; deliveries: ReadonlyMap<string, number> } | undefined;
  const appHosts = new Set(options.appHosts);
  return {
    async activeHosts() {
      const now = options.clock.now();
      if (options.source && (!cached || now - cached.at >= CACHE_MS)) {
        cached = { at: now, deliveries: await options.source.lastDeliveries(options.hosts) };
      }
      return webhookHostsAt(now, options.configured, cached?.deliveries ?? new Map(), options.policy, appHosts);
    },
  };
}

/** The hosts sending webhooks now; a failed look-up only means normal polling (logged). */
export async function hostsSendingWebhooks(activity: WebhookActivity | undefined, log: Log): Promise<WebhookHosts | undefined> {
  try {
    return await activity?.activeHosts();
  } catch (err) {
    log.warn('could not read the hosts that send webhooks; polling at the normal cadence', { error: describeError(err) });
    return undefined;
  }
}
