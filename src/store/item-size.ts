/**
 * DynamoDB's size of an item, in bytes, by its documented rules: attribute names plus values
 * (strings in UTF-8, numbers about one byte per two digits plus one, booleans and nulls one
 * byte, lists and maps three bytes plus one per element). The in-memory store charges
 * capacity with it; the bench checks it against DynamoDB Local's own figures.
 */
export function itemSize(item: object): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [k, v]) => sum + 1 + utf8(k) + valueSize(v), 0);
  }
  return 0;
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
