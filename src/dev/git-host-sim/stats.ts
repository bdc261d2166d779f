/** What the simulated host answered, readable at any time by the caller. */
export interface Counters {
  requests: number;
  /** Requests per endpoint name (`pulls.list`, `pulls.get`, `pulls.reviews`, `unknown`). */
  byEndpoint: Record<string, number>;
  notModified: number;
  /** Requests counted against the primary rate limit. */
  counted: number;
  unauthorized: number;
  /** 403 / 429 answers because the primary limit was exhausted. */
  rateLimited: number;
  /** 403 / 429 answers from the secondary (abuse) limit. */
  secondaryRateLimited: number;
  faults: number;
}

export interface StatsSnapshot extends Counters {
  /** The same counters per bearer token (absent for requests without one). */
  byToken: Record<string, Counters>;
}

export type CounterName = Exclude<keyof Counters, 'requests' | 'byEndpoint'>;

export interface Stats {
  request(endpoint: string, token: string | undefined): void;
  count(name: CounterName, token: string | undefined): void;
  snapshot(): StatsSnapshot;
}

function emptyCounters(): Counters {
  return {
    requests: 0,
    byEndpoint: {},
    notModified: 0,
    counted: 0,
    unauthorized: 0,
    rateLimited: 0,
    secondaryRateLimited: 0,
    faults: 0,
  };
}

export function createStats(): Stats {
  const total = emptyCounters();
  const byToken = new Map<string, Counters>();
  const targets = (token: string | undefined): Counters[] => {
    if (token === undefined) return [total];
    let own = byToken.get(token);
    if (!own) byToken.set(token, (own = emptyCounters()));
    return [total, own];
  };
  return {
    request(endpoint, token) {
      for (const c of targets(token)) {
        c.requests++;
        c.byEndpoint[endpoint] = (c.byEndpoint[endpoint] ?? 0) + 1;
      }
    },
    count(name, token) {
      for (const c of targets(token)) c[name]++;
    },
    snapshot() {
      return structuredClone({ ...total, byToken: Object.fromEntries(byToken) });
    },
  };
}
