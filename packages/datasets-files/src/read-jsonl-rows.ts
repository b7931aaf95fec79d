import { InvalidPreferenceDataError } from '@pal/core';
import { describeFound, type RawTable } from './raw-table.js';

/** Splits JSONL text into one object per non-blank line; errors name the file and the 1-based line. */
export function readJsonlRows(text: string, fileLabel: string): RawTable {
  const rows: RawTable['rows'] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const location = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new InvalidPreferenceDataError(`${fileLabel} ${location}: expected a JSON object, found ${describeFound(raw)}`, {
        cause: error,
        source: 'datasets-files',
      });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidPreferenceDataError(`${fileLabel} ${location}: expected a JSON object, found ${describeFound(value)}`, {
        source: 'datasets-files',
      });
    }
    rows.push({ values: value as Record<string, unknown>, location });
  }
  return { rows };
}
