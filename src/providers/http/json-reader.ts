import { ProviderError } from '../../domain/errors.ts';

/**
 * Reads fields of an API answer with their expected types. A missing or wrong-typed field
 * is a `ProviderError` that names the field ("pull request: field user.login should be a
 * string"), never a crash deep in the mapping.
 */
export class JsonReader {
  readonly #value: Record<string, unknown>;
  readonly #what: string;
  readonly #path: string;

  private constructor(value: Record<string, unknown>, what: string, path: string) {
    this.#value = value;
    this.#what = what;
    this.#path = path;
  }

  static object(value: unknown, what: string, path = ''): JsonReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw shapeError(what, path || '(root)', 'an object');
    }
    return new JsonReader(value as Record<string, unknown>, what, path);
  }

  string(name: string): string {
    return this.#typed(name, 'string', 'a string') as string;
  }

  number(name: string): number {
    const value = this.#value[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw shapeError(this.#what, this.#at(name), 'a number');
    return value;
  }

  /** A string field read through `table` (a host's state names to gitsync's); a value not in it is an error naming it. */
  oneOf<T>(name: string, table: Readonly<Record<string, T>>): T {
    const text = this.string(name);
    if (!Object.hasOwn(table, text)) throw new ProviderError(`unexpected ${this.#what} answer: field ${this.#at(name)} has unknown value ${JSON.stringify(text)}`);
    return table[text]!;
  }

  boolean(name: string): boolean {
    return this.#typed(name, 'boolean', 'a boolean') as boolean;
  }

  /** Absent or null reads as undefined; any other non-string is an error. */
  optionalString(name: string): string | undefined {
    const value = this.#value[name];
    return value === undefined || value === null ? undefined : this.string(name);
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.#value[name];
    return value === undefined || value === null ? undefined : this.boolean(name);
  }

  object(name: string): JsonReader {
    return JsonReader.object(this.#value[name], this.#what, this.#at(name));
  }

  optionalObject(name: string): JsonReader | undefined {
    const value = this.#value[name];
    return value === undefined || value === null ? undefined : this.object(name);
  }

  /** The field as it is, for a reader of its own (a cached compact form). */
  field(name: string): unknown {
    return this.#value[name];
  }

  array(name: string): unknown[] {
    const value = this.#value[name];
    if (!Array.isArray(value)) throw shapeError(this.#what, this.#at(name), 'an array');
    return value;
  }

  #typed(name: string, type: string, label: string): unknown {
    const value = this.#value[name];
    if (typeof value !== type) throw shapeError(this.#what, this.#at(name), label);
    return value;
  }

  #at(name: string): string {
    return this.#path ? `${this.#path}.${name}` : name;
  }
}

export function readArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw shapeError(what, '(root)', 'an array');
  return value;
}

function shapeError(what: string, field: string, expected: string): ProviderError {
  return new ProviderError(`unexpected ${what} answer: field ${field} should be ${expected}`);
}
