import { InvalidPreferenceDataError } from '@pal/core';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';
import type { RawTable } from './raw-table.js';

/** Reads CSV text with a header line into rows of strings; errors name the file, the row and the line. */
export function readCsvRows(text: string, fileLabel: string, delimiter: string): RawTable {
  let records;
  try {
    records = parseCsv(text, delimiter);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new InvalidPreferenceDataError(`${fileLabel} line ${error.line}: ${error.message}`, { cause: error, source: 'datasets-files' });
    }
    throw error;
  }
  const header = records[0];
  if (header === undefined) throw new InvalidPreferenceDataError(`${fileLabel}: expected a header line, found an empty file`, { source: 'datasets-files' });
  const columns = header.fields.map((name) => name.trim());
  const rows: RawTable['rows'] = [];
  for (let index = 1; index < records.length; index++) {
    const record = records[index]!;
    const location = `row ${index} (line ${record.line})`;
    if (record.fields.length !== columns.length) {
      throw new InvalidPreferenceDataError(
        `${fileLabel} ${location}: expected ${columns.length} fields as in the header, found ${record.fields.length}`,
        { source: 'datasets-files' },
      );
    }
    const values: Record<string, unknown> = {};
    columns.forEach((name, column) => {
      values[name] = record.fields[column];
    });
    rows.push({ values, location });
  }
  return { rows, columns };
}
