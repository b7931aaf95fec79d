import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PreferenceExample } from '@pal/core';
import { testDatasetAdapter } from '@pal/core/test';
import { createFakeHub } from '@pal/hub-datasets/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickapicRow, solidJpeg, writePickapicParquet, type PickapicRow, type RowSpec } from './__fixtures__/pickapic-parquet.js';
import { createPickapicDataset } from './pickapic-dataset.js';
import type { PickapicDatasetSettings } from './pickapic-settings.js';

function shippedIds(name: string): number[] {
  return JSON.parse(gunzipSync(readFileSync(new URL(`../data/${name}`, import.meta.url))).toString('utf8')) as number[];
}
const leakageIds = shippedIds('pickapic_v2_test_leakage_ranking_ids.json.gz');
const noLeakageIds = shippedIds('pickapic_v2_test_non_leakage_ranking_ids.json.gz');

const palette = await Promise.all([solidJpeg(220, 40, 40), solidJpeg(40, 200, 60), solidJpeg(30, 60, 220), solidJpeg(128, 128, 128)]);
const images = (index: number): [Uint8Array, Uint8Array] => [palette[index % 4]!, palette[(index + 1) % 4]!];

const trainSpecs: RowSpec[] = [
  { rankingId: 501, userId: 11, labels: [1, 0], images: images(0) },
  { rankingId: 502, userId: 11, labels: [0, 1], images: images(1) },
  { rankingId: 503, userId: 12, labels: [0.5, 0.5], images: images(2) },
  { rankingId: 504, userId: 13, labels: [1, 0], images: images(3) },
  { rankingId: 505, userId: 13, labels: [0, 1], images: images(0), hasLabel: false },
];
const validationSpecs: RowSpec[] = [
  { rankingId: 601, userId: 11, labels: [0, 1], images: images(1) },
  { rankingId: 602, userId: 14, labels: [1, 0], images: images(2) },
];
const testSpecs: RowSpec[] = [
  ...leakageIds.slice(0, 6).map((rankingId, index): RowSpec => ({
    rankingId,
    userId: 20 + (index % 3),
    labels: index === 4 ? [0.5, 0.5] : index % 2 === 0 ? [1, 0] : [0, 1],
    images: images(index),
  })),
  ...noLeakageIds.slice(0, 5).map((rankingId, index): RowSpec => ({
    rankingId,
    userId: 30 + (index % 2),
    labels: index === 0 ? [0.5, 0.5] : index % 2 === 0 ? [0, 1] : [1, 0],
    images: images(index + 1),
  })),
];
const testRows = testSpecs.map(pickapicRow);
const v2Files = {
  'data/train-00000-of-00001-0a1b2c3d4e5f6a7b.parquet': writePickapicParquet(trainSpecs.map(pickapicRow)),
  'data/validation-00000-of-00001-1b2c3d4e5f6a7b8c.parquet': writePickapicParquet(validationSpecs.map(pickapicRow)),
  'data/test-00000-of-00002-2c3d4e5f6a7b8c9d.parquet': writePickapicParquet(testRows.slice(0, 7)),
  'data/test-00001-of-00002-3d4e5f6a7b8c9d0e.parquet': writePickapicParquet(testRows.slice(7)),
  'data/test_unique-00000-of-00001-4e5f6a7b8c9d0e1f.parquet': writePickapicParquet(testRows.slice(0, 2)),
};

function withRow(specs: RowSpec[], index: number, change: (row: PickapicRow) => PickapicRow): Uint8Array {
  return writePickapicParquet(specs.map(pickapicRow).map((row, position) => (position === index ? change(row) : row)));
}

const hub = createFakeHub({
  repositories: [
    { repository: 'yuvalkirstain/pickapic_v2', revision: 'main', files: v2Files },
    {
      repository: 'yuvalkirstain/pickapic_v1',
      revision: 'main',
      files: {
        'data/train-00000-of-00001-5f6a7b8c9d0e1f2a.parquet': withRow(trainSpecs, 2, (row) => ({ ...row, label_0: 0.3, label_1: 0.7 })),
        'data/validation-00000-of-00001-6a7b8c9d0e1f2a3b.parquet': withRow(validationSpecs, 1, (row) => ({ ...row, jpg_1: null })),
        'data/test-00000-of-00001-7b8c9d0e1f2a3b4c.parquet': writePickapicParquet([pickapicRow({ rankingId: 9, userId: 1, labels: [1, 0], images: images(0) })]),
      },
    },
  ],
});

const unknownIdHub = createFakeHub({
  repositories: [
    {
      repository: 'yuvalkirstain/pickapic_v2',
      revision: 'main',
      files: { 'data/test-00000-of-00001-8c9d0e1f2a3b4c5d.parquet': writePickapicParquet([testRows[0]!, pickapicRow({ rankingId: 77, userId: 1, labels: [1, 0], images: images(0) })]) },
    },
  ],
});

const cacheDirectory = mkdtempSync(join(tmpdir(), 'pal-pickapic-'));
const otherCacheDirectory = mkdtempSync(join(tmpdir(), 'pal-pickapic-other-'));
afterAll(() => {
  rmSync(cacheDirectory, { recursive: true, force: true });
  rmSync(otherCacheDirectory, { recursive: true, force: true });
});
const fixture: PickapicDatasetSettings = { fetch: hub.fetch, cacheDirectory, verifyCounts: false };

testDatasetAdapter({
  name: 'createPickapicDataset conformance',
  create: () => createPickapicDataset({ ...fixture, version: 'v2' }),
  badInputs: [
    {
      name: 'labels that are neither a choice nor a tie',
      create: () => createPickapicDataset({ ...fixture, version: 'v1', splits: ['train'] }),
      expectedMessage: /^\[pal\] \[datasets-pickapic\] file data\/train-00000-of-00001-5f6a7b8c9d0e1f2a\.parquet row 2: label_0 \/ label_1: expected \(1, 0\), \(0, 1\) or a tie \(0\.5, 0\.5\), found \(0\.3, 0\.7\)$/,
    },
    {
      name: 'a row without its second image',
      create: () => createPickapicDataset({ ...fixture, version: 'v1', splits: ['validation'] }),
      expectedMessage: /file data\/validation-00000-of-00001-6a7b8c9d0e1f2a3b\.parquet row 1: jpg_1: expected image bytes, found null/,
    },
    {
      name: 'a v1 leakage subset',
      create: () => createPickapicDataset({ ...fixture, version: 'v1', subset: 'leakage' }),
      expectedMessage: /subset: the leakage \/ no-leakage subsets exist for version v2 only/,
    },
    {
      name: 'split sizes that differ from the dataset cards',
      create: () => createPickapicDataset({ ...fixture, version: 'v2', splits: ['validation'], verifyCounts: true }),
      expectedMessage: /yuvalkirstain\/pickapic_v2 differs from the dataset the paper used: validation: expected 20596 rows, found 2/,
    },
    {
      name: 'a leakage subset of another size than the paper',
      create: () => createPickapicDataset({ ...fixture, version: 'v2', subset: 'leakage', verifyCounts: true }),
      expectedMessage: /test: expected 20716 rows, found 11; leakage subset: expected 10587 pairs without ties, found 5/,
    },
    {
      name: 'a v2 test ranking id in neither subset table',
      create: () => createPickapicDataset({ ...fixture, fetch: unknownIdHub.fetch, cacheDirectory: otherCacheDirectory, version: 'v2', subset: 'no-leakage', verifyCounts: true }),
      expectedMessage: /file data\/test-00000-of-00001-8c9d0e1f2a3b4c5d\.parquet row 1: ranking id 77 of the v2 test split is in neither the leakage nor the no-leakage table/,
    },
  ],
});

describe('createPickapicDataset on fixture shards', () => {
  let examples: PreferenceExample[];
  beforeAll(async () => {
    examples = (await createPickapicDataset({ ...fixture, version: 'v2' }).doLoad()).examples;
  });

  it('should drop ties and unlabelled rows and ignore the *_unique shards', () => {
    const ids = examples.map((example) => example.id);
    expect(ids.filter((id) => id.startsWith('pickapic-v2/train/'))).toEqual(['pickapic-v2/train/ranking-501', 'pickapic-v2/train/ranking-502', 'pickapic-v2/train/ranking-504']);
    expect(ids.filter((id) => id.startsWith('pickapic-v2/validation/')).length).toBe(2);
    expect(ids.filter((id) => id.startsWith('pickapic-v2/test/')).length).toBe(9);
  });

  it('should keep caption, user id, ranking id and both images with their uids and bytes', () => {
    const example = examples.find((candidate) => candidate.id === 'pickapic-v2/train/ranking-502')!;
    expect(example.userId).toBe('11');
    expect(example.prompt).toBe('a watercolor fox number 502 in the snow');
    expect(example.preferred).toBe('right');
    expect(example.split).toBe('train');
    expect(example.left).toEqual({ kind: 'image', bytes: palette[1], id: 'img-502-0' });
    expect(example.right).toEqual({ kind: 'image', bytes: palette[2], id: 'img-502-1' });
  });

  it('should split the v2 test pairs into the leakage and no-leakage subsets of the shipped tables', async () => {
    const leakage = (await createPickapicDataset({ ...fixture, version: 'v2', subset: 'leakage' }).doLoad()).examples;
    const noLeakage = (await createPickapicDataset({ ...fixture, version: 'v2', subset: 'no-leakage' }).doLoad()).examples;
    const rankingOf = (example: PreferenceExample) => Number(example.id.split('ranking-')[1]);
    expect(leakage.map(rankingOf)).toEqual(leakageIds.slice(0, 6).filter((_, index) => index !== 4));
    expect(noLeakage.map(rankingOf)).toEqual(noLeakageIds.slice(1, 5));
    expect(leakage.every((example) => example.split === 'test')).toBe(true);
    const test = examples.filter((example) => example.split === 'test').map((example) => example.id);
    expect([...leakage, ...noLeakage].map((example) => example.id).sort()).toEqual(test.sort());
  });

  it('should write each image once and hand out its path in files mode', async () => {
    const imageDirectory = join(cacheDirectory, 'images-test');
    const loaded = (await createPickapicDataset({ ...fixture, version: 'v2', splits: ['train'], images: 'files', imageDirectory }).doLoad()).examples;
    const left = loaded[0]!.left as { kind: 'image'; path: string; id: string };
    expect(left).toEqual({ kind: 'image', path: join(imageDirectory, 'img-501-0.jpg'), id: 'img-501-0' });
    expect(new Uint8Array(readFileSync(left.path))).toEqual(palette[0]);
  });

  it('should read only the first shards with maxFilesPerSplit', async () => {
    const loaded = (await createPickapicDataset({ ...fixture, version: 'v2', splits: ['test'], maxFilesPerSplit: 1 }).doLoad()).examples;
    // The first shard holds the six leakage rows and one no-leakage row; two of the seven are ties.
    expect(loaded.length).toBe(5);
    expect(loaded.every((example) => example.split === 'test')).toBe(true);
  });
});
