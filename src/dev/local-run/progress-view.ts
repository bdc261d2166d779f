import type { Census } from './row-census.ts';
import type { HostCounters, RunTotals } from './run-totals.ts';

/** Everything one progress update shows. */
export interface Progress {
  elapsedMs: number;
  /** 0 when running until Ctrl-C. */
  durationMs: number;
  census: Census;
  totals: RunTotals;
  /** Refreshes per second over the last minute. */
  refreshRate: number;
  host: HostCounters | null;
}

const REASONS: Record<string, string> = {
  no_token: 'no token',
  rate_limited: 'rate limited',
  skipped_rate_limit: 'skipped (rate limit)',
  provider_error: 'provider error',
  auth_error: 'token refused',
  no_provider: 'no provider',
  invalid_row: 'invalid row',
  unexpected: 'unexpected',
};

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

function backingOff(census: Census): string {
  const parts = Object.entries(census.backingOff)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${REASONS[reason] ?? reason} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

function hostPart(host: HostCounters | null): string {
  return host ? `API calls ${host.apiCalls} (304s ${host.notModified}) · rate-limit hits ${host.rateLimitHits}` : 'API calls n/a (real host)';
}

/** The status block redrawn in place on a terminal. */
export function renderStatus(p: Progress): string[] {
  const c = p.census;
  const t = p.totals;
  return [
    `gitsync local run  ${clock(p.elapsedMs)}${p.durationMs ? ` / ${clock(p.durationMs)}` : ' (Ctrl-C stops)'}  ·  ticks ${t.ticks}${t.failedTicks ? ` (${t.failedTicks} failed)` : ''}`,
    `rows ${c.total}: fresh ${c.fresh} · no PR yet ${c.waitingForPr} · due ${c.due} · leased ${c.leased} · backing off: ${backingOff(c)}`,
    `refreshes ${t.refreshed} (${p.refreshRate.toFixed(1)}/s) · no PR ${t.noPr} · no token ${t.noToken} · rate limited ${t.rateLimited} · errors ${t.errors}`,
    `${hostPart(p.host)} · oldest lateness ${seconds(c.oldestLatenessMs)}`,
  ];
}

/** One line per update when stdout is not a terminal. */
export function renderLogLine(p: Progress): string {
  const c = p.census;
  const t = p.totals;
  return (
    `[${clock(p.elapsedMs)}] tick ${t.ticks}: rows fresh ${c.fresh}, no-pr-yet ${c.waitingForPr}, due ${c.due}, leased ${c.leased}, ` +
    `backing off: ${backingOff(c)}; refreshes ${t.refreshed} (${p.refreshRate.toFixed(1)}/s), no-pr ${t.noPr}, no-token ${t.noToken}, ` +
    `rate-limited ${t.rateLimited}, errors ${t.errors}; ${hostPart(p.host)}; oldest lateness ${seconds(c.oldestLatenessMs)}`
  );
}

export interface ProgressView {
  update(progress: Progress): void;
  /** A line that stays (events such as an incident), printed above the status block. */
  note(line: string): void;
  /** Leaves the last status on screen. */
  end(): void;
}

/** Redraws the status block on a terminal, or appends log lines otherwise. */
export function createProgressView(out: NodeJS.WriteStream): ProgressView {
  if (!out.isTTY) {
    return {
      update: (p) => void out.write(`${renderLogLine(p)}\n`),
      note: (line) => void out.write(`${line}\n`),
      end() {},
    };
  }
  let drawn = 0;
  let last: string[] = [];
  const erase = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  const draw = (lines: string[]) => {
    const width = Math.max(20, (out.columns ?? 120) - 1);
    const clipped = lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    out.write(`${clipped.join('\n')}\n`);
    drawn = clipped.length;
  };
  return {
    update(p) {
      last = renderStatus(p);
      erase();
      draw(last);
    },
    note(line) {
      erase();
      out.write(`${line}\n`);
      if (last.length) draw(last);
    },
    end() {
      drawn = 0;
    },
  };
}
