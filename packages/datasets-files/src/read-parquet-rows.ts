import { InvalidPreferenceDataError } from '@pal/core';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawTable } from './raw-table.js';

/** Reads the named top-level columns of a Parquet file (any codec hyparquet-compressors handles). */
export async function readParquetRows(path: string, fileLabel: string, wanted: string[]): Promise<RawTable> {
  let columns: string[];
  let objects: Record<string, unknown>[];
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    columns = parquetSchema(metadata).children.map((child) => child.element.name);
    const present = wanted.filter((name) => columns.includes(name));
    objects = await parquetReadObjects({ file, metadata, columns: present, compressors });
  } catch (error) {
    throw new InvalidPreferenceDataError(`${fileLabel}: cannot read it as Parquet`, { cause: error, source: 'datasets-files' });
  }
  return { rows: objects.map((values, index) => ({ values, location: `row ${index + 1}` })), columns };
}
