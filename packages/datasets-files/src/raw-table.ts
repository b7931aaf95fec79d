/** One row as read from a file, before validation, with where it is for error messages. */
export interface RawRow {
  values: Record<string, unknown>;
  /** `line 4` (JSONL), `row 3 (line 4)` (CSV) or `row 3` (Parquet); rows and lines are 1-based. */
  location: string;
}

/** The rows of a file plus its column names when the format declares them (CSV header, Parquet schema). */
export interface RawTable {
  rows: RawRow[];
  columns?: string[];
}

/** Renders a cell value for an error message: quoted and shortened, or `nothing` when absent. */
export function describeFound(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'bigint') return String(value);
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${(value as unknown as ArrayLike<unknown>).length}`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
