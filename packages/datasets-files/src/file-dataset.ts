import { access, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InvalidArgumentError, parseOptions, type DatasetAdapterV1, type DatasetLoadOptionsV1, type DatasetV1 } from '@pal/core';
import { fileDatasetSettingsSchema, type FileDatasetSettings } from './file-dataset-settings.js';
import type { RawTable } from './raw-table.js';
import { readCsvRows } from './read-csv-rows.js';
import { readJsonlRows } from './read-jsonl-rows.js';
import { readParquetRows } from './read-parquet-rows.js';
import { checkColumnsExist, mappedColumns, rowsToExamples } from './rows-to-examples.js';

const formatByExtension: Record<string, 'jsonl' | 'csv' | 'parquet'> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.parquet': 'parquet',
};

/**
 * A dataset adapter for your own preference data in a JSONL, CSV or Parquet file: `columns` maps the file's
 * columns to user, prompt and either chosen / rejected or left / right / label (text or precomputed
 * embeddings). Every row is validated; errors name the file, the row (and line) and the column.
 */
export function createFileDataset(settings: FileDatasetSettings): DatasetAdapterV1 {
  const resolved = parseOptions(fileDatasetSettingsSchema, settings, 'file dataset settings');
  const path = resolved.path;
  const format = resolved.format ?? formatByExtension[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new InvalidArgumentError(`${path}: cannot tell the format from the extension "${extname(path)}"; expected .jsonl, .ndjson, .csv or .parquet, or set format`, {
      source: 'datasets-files',
    });
  }
  const fileName = basename(path);

  return {
    specificationVersion: 'v1',
    name: 'files',
    async doLoad(options: DatasetLoadOptionsV1 = {}): Promise<DatasetV1> {
      options.signal?.throwIfAborted();
      let table: RawTable;
      if (format === 'parquet') {
        await access(path).catch((error: unknown) => {
          throw new InvalidArgumentError(`cannot read ${path}`, { cause: error, source: 'datasets-files' });
        });
        table = await readParquetRows(path, path, mappedColumns(resolved));
      } else {
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (error) {
          throw new InvalidArgumentError(`cannot read ${path}`, { cause: error, source: 'datasets-files' });
        }
        table = format === 'csv' ? readCsvRows(text, path, resolved.delimiter) : readJsonlRows(text, path);
      }
      options.onProgress?.({ stage: 'read', done: table.rows.length, total: table.rows.length });
      options.signal?.throwIfAborted();
      checkColumnsExist(table, resolved, path);
      const examples = rowsToExamples(table, resolved, path, fileName);
      if (examples.length === 0) {
        throw new InvalidArgumentError(`${path}: expected at least one row, found none`, { source: 'datasets-files' });
      }
      options.onProgress?.({ stage: 'validate', done: examples.length, total: examples.length });
      const users = new Set(examples.map((example) => example.userId)).size;
      const groups = resolved.columns.group !== undefined ? [...new Set(examples.flatMap((example) => (example.group === undefined ? [] : [example.group])))] : undefined;
      return {
        info: {
          name: resolved.name ?? fileName,
          description: resolved.description ?? `Preferences read from ${fileName} (${format}): ${examples.length} comparisons by ${users} users.`,
          ...(resolved.license !== undefined ? { license: resolved.license } : {}),
          ...(resolved.citation !== undefined ? { citation: resolved.citation } : {}),
          ...(groups !== undefined ? { groups } : {}),
        },
        examples,
      };
    },
  };
}
