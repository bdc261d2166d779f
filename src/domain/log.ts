/** The slice of a logger the pipeline needs; Powertools' Logger satisfies it. */
export interface Log {
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
