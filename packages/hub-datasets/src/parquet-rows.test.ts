import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPreferenceDataError } from '@pal/core';
import { openParquetFile, readParquetRows } from './parquet-rows.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pal-parquet-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function writeFixture(name: string): Promise<string> {
  const path = join(directory, name);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'caption', data: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], type: 'STRING' },
      { name: 'ranking_id', data: [10n, 11n, 12n, 13n, 14n, 15n, 16n], type: 'INT64' },
      { name: 'jpg_0', data: Array.from({ length: 7 }, (_, index) => new Uint8Array([index, 255])), type: 'BYTE_ARRAY' },
    ],
    rowGroupSize: 3,
  });
  await writeFile(path, new Uint8Array(buffer));
  return path;
}

describe('readParquetRows', () => {
  it('should yield every row with its zero-based row number across row groups', async () => {
    const path = await writeFixture('rows.parquet');
    const file = await openParquetFile(path);
    expect(file.metadata.row_groups.length).toBe(3);
    expect(file.rowCount).toBe(7);
    const rows = [];
    for await (const row of readParquetRows(path, { columns: ['ranking_id', 'jpg_0'] })) rows.push(row);
    expect(rows.map((row) => row.rowNumber)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(rows.map((row) => row.values.ranking_id)).toEqual([10n, 11n, 12n, 13n, 14n, 15n, 16n]);
    expect(rows[4]!.values.jpg_0).toEqual(new Uint8Array([4, 255]));
    expect(Object.keys(rows[0]!.values).sort()).toEqual(['jpg_0', 'ranking_id']);
  });

  it('should name the file and the missing columns', async () => {
    const path = await writeFixture('columns.parquet');
    const failure = await (async () => {
      for await (const row of readParquetRows(path, { columns: ['caption', 'label_0'], displayName: 'data/test-00000-of-00001.parquet', source: 'datasets-pickapic' })) void row;
    })().catch((error: unknown) => error);
    expect(InvalidPreferenceDataError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toBe(
      '[pal] [datasets-pickapic] file data/test-00000-of-00001.parquet: expected column(s) label_0, found caption, ranking_id, jpg_0',
    );
  });

  it('should name the file when it is not parquet', async () => {
    const path = join(directory, 'truncated.parquet');
    await writeFile(path, 'PAR1 this is not a parquet footer');
    await expect(openParquetFile(path, { displayName: 'comparisons/train/0000.parquet' })).rejects.toThrow(
      'file comparisons/train/0000.parquet: not a readable parquet file',
    );
  });
});
