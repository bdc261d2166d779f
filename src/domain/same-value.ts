/** Whether two stored values are the same as DynamoDB would hold them (plain data: compared as JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
