/**
 * A BBQL string literal: double quotes around the value, `\` and `"` escaped with a
 * backslash. A branch name may contain `"` (git allows it), so without this a branch could
 * change the query it is put into.
 */
export function bbqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Every state Bitbucket Cloud gives a pull request; the list asks for OPEN only unless told. */
export const ALL_STATES = ['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED'] as const;

/**
 * The query of `GET /repositories/{ws}/{repo}/pullrequests` for a branch's pull request:
 * the branch in BBQL, the states as repeated `state` parameters (without them Bitbucket lists
 * open ones only), newest first, one result, only its id.
 */
export function branchSearchQuery(branch: string, anyState: boolean): string {
  const query = new URLSearchParams({ q: `source.branch.name = ${bbqlString(branch)}` });
  for (const state of anyState ? ALL_STATES : ['OPEN']) query.append('state', state);
  query.set('sort', anyState ? '-created_on' : '-updated_on');
  query.set('pagelen', '1');
  query.set('fields', 'values.id');
  return query.toString();
}
