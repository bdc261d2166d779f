/**
 * The target of each relation of an RFC 8288 `Link` header
 * (`<https://api/x?page=2>; rel="next", <...>; rel="last"`). Parts that do not read are
 * skipped; a relation named twice keeps its first target.
 */
export function linkTargets(header: string | undefined): Map<string, string> {
  const targets = new Map<string, string>();
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>((?:\s*;[^;]*)*)$/.exec(part);
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(match[2]!);
    for (const name of (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)) {
      if (name && !targets.has(name)) targets.set(name, match[1]!);
    }
  }
  return targets;
}
