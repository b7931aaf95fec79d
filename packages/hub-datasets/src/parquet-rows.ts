import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InvalidPreferenceDataError } from '@pal/core';

/** One parquet row with its position in the file, so errors can name the row. */
export interface ParquetRow {
  /** Column name -> value; INT64 columns come back as bigint, binary columns as Uint8Array. */
  values: Record<string, unknown>;
  /** Zero-based position of the row in its file. */
  rowNumber: number;
}

/** Options of `readParquetRows`. */
export interface ReadParquetRowsOptions {
  /** Top-level columns to read; all when omitted. Reading fewer columns skips their bytes on disk. */
  columns?: string[];
  /** Name of the file in error messages (e.g. its repository path); defaults to the local path. */
  displayName?: string;
  /** Who reads, for error messages (`[pal] [datasets-tldr] ...`); defaults to `hub-datasets`. */
  source?: string;
}

/** A parquet file opened for row iteration: its metadata, column names and row count. */
export interface ParquetFile {
  path: string;
  buffer: AsyncBuffer;
  metadata: FileMetaData;
  columnNames: string[];
  rowCount: number;
}

/** Opens a local parquet file and reads its footer (metadata and schema) only. */
export async function openParquetFile(path: string, options: { displayName?: string; source?: string } = {}): Promise<ParquetFile> {
  try {
    const buffer = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(buffer);
    const columnNames = parquetSchema(metadata).children.map((child) => child.element.name);
    return { path, buffer, metadata, columnNames, rowCount: Number(metadata.num_rows) };
  } catch (error) {
    throw new InvalidPreferenceDataError(`file ${options.displayName ?? path}: not a readable parquet file`, {
      source: options.source ?? 'hub-datasets',
      cause: error,
    });
  }
}

/**
 * Iterates the rows of a local parquet file one row group at a time (so a 500 MB image shard never
 * sits in memory whole), decompressing with hyparquet-compressors (snappy, gzip, zstd, brotli, lz4).
 * Fails with an error naming the file when a requested column is missing.
 */
export async function* readParquetRows(path: string, options: ReadParquetRowsOptions = {}): AsyncGenerator<ParquetRow> {
  const displayName = options.displayName ?? path;
  const source = options.source ?? 'hub-datasets';
  const file = await openParquetFile(path, { displayName, source });
  if (options.columns) {
    const absent = options.columns.filter((column) => !file.columnNames.includes(column));
    if (absent.length > 0) {
      throw new InvalidPreferenceDataError(
        `file ${displayName}: expected column(s) ${absent.join(', ')}, found ${file.columnNames.join(', ')}`,
        { source },
      );
    }
  }
  let groupStart = 0;
  for (const rowGroup of file.metadata.row_groups) {
    const groupEnd = groupStart + Number(rowGroup.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({
        file: file.buffer,
        metadata: file.metadata,
        columns: options.columns,
        rowStart: groupStart,
        rowEnd: groupEnd,
        compressors,
        // Unannotated BYTE_ARRAY columns (image bytes) stay binary; UTF8-annotated ones still decode to strings.
        utf8: false,
      });
    } catch (error) {
      throw new InvalidPreferenceDataError(`file ${displayName}: cannot decode rows ${groupStart}-${groupEnd - 1}`, { source, cause: error });
    }
    for (let index = 0; index < rows.length; index++) {
      yield { values: rows[index]!, rowNumber: groupStart + index };
    }
    groupStart = groupEnd;
  }
}
