import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';

export interface UpdateSpec {
  set?: Record<string, NativeAttributeValue>;
  /** Set only when the attribute is absent (`if_not_exists`), e.g. `createdAt`. */
  setIfAbsent?: Record<string, NativeAttributeValue>;
  remove?: readonly string[];
  /** Numbers added (`ADD`; an absent attribute counts as 0), e.g. a version bump. */
  add?: Record<string, number>;
  /** Names and values the caller's condition expression refers to. */
  conditionNames?: Record<string, string>;
  conditionValues?: Record<string, NativeAttributeValue>;
}

export interface UpdateExpressionParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, NativeAttributeValue>;
}

/**
 * Builds `SET #a = :a, ... REMOVE #b, ...` with placeholders for every attribute, so reserved
 * words and any attribute name are safe. Undefined values are skipped, not written as null;
 * an attribute both set and removed is set.
 */
export function buildUpdateExpression(spec: UpdateSpec): UpdateExpressionParts {
  const names: Record<string, string> = { ...spec.conditionNames };
  const values: Record<string, NativeAttributeValue> = { ...spec.conditionValues };
  const setClauses: string[] = [];
  const removeClauses: string[] = [];
  const written = new Set<string>();
  let i = 0;
  const placeholder = (attribute: string): string => {
    names[`#u${i}`] = attribute;
    return `u${i++}`;
  };
  for (const [attribute, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) continue;
    const p = placeholder(attribute);
    values[`:${p}`] = value;
    setClauses.push(`#${p} = :${p}`);
    written.add(attribute);
  }
  for (const [attribute, value] of Object.entries(spec.setIfAbsent ?? {})) {
    if (value === undefined || written.has(attribute)) continue;
    const p = placeholder(attribute);
    values[`:${p}`] = value;
    setClauses.push(`#${p} = if_not_exists(#${p}, :${p})`);
    written.add(attribute);
  }
  for (const attribute of new Set(spec.remove ?? [])) {
    if (written.has(attribute)) continue;
    removeClauses.push(`#${placeholder(attribute)}`);
  }
  const addClauses: string[] = [];
  for (const [attribute, value] of Object.entries(spec.add ?? {})) {
    if (written.has(attribute)) continue;
    const p = placeholder(attribute);
    values[`:${p}`] = value;
    addClauses.push(`#${p} :${p}`);
  }
  if (setClauses.length === 0 && removeClauses.length === 0 && addClauses.length === 0) {
    throw new Error('an update must set, remove or add at least one attribute');
  }
  const clauses = [];
  if (setClauses.length) clauses.push(`SET ${setClauses.join(', ')}`);
  if (removeClauses.length) clauses.push(`REMOVE ${removeClauses.join(', ')}`);
  if (addClauses.length) clauses.push(`ADD ${addClauses.join(', ')}`);
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
