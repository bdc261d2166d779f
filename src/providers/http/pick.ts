/** Which fields of a JSON object to keep: `true` keeps the value, a nested spec recurses. */
export type FieldSpec = { readonly [name: string]: true | FieldSpec };

/**
 * Keeps only the listed fields of an answer, so what is stored with the row for a later 304
 * stays small. Missing fields stay missing; the reader reports them by name.
 */
export function pickFields(value: unknown, spec: FieldSpec): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of Object.entries(spec)) {
    if (!(name in source)) continue;
    out[name] = sub === true ? source[name] : pickFields(source[name], sub);
  }
  return out;
}
