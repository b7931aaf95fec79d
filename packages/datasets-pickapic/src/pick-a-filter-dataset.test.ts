import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreferenceExample } from '@pal/core';
import { testDatasetAdapter } from '@pal/core/test';
import { createFakeHub } from '@pal/hub-datasets/test';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickapicRow, solidJpeg, writePickapicParquet, type RowSpec } from './__fixtures__/pickapic-parquet.js';
import { applyColourFilter } from './colour-filter.js';
import { createPickAFilterDataset } from './pick-a-filter-dataset.js';
import { table8Differences } from './pick-a-filter-protocol.js';
import { pickAFilterTable8 } from './pick-a-filter-settings.js';
import type { PickAFilterDatasetSettings } from './pick-a-filter-settings.js';

const colours: [number, number, number][] = [[200, 180, 60], [90, 160, 90], [128, 128, 128], [60, 90, 200]];
const palette = await Promise.all(colours.map(([red, green, blue]) => solidJpeg(red, green, blue)));

/**
 * Users 101-106 have pairs in train, validation and test with 15, 14, ..., 10 labelled pairs; 107 has no
 * test pair, 108 only 3 labels, 109 is eligible (5 labels) but ranks 7th, past the 2 x 3 users kept.
 * User 101 also has two ties, which do not count.
 */
const plan: Record<number, { train: number; validation: number; test: number; ties?: number }> = {
  101: { train: 12, validation: 1, test: 2, ties: 2 },
  102: { train: 11, validation: 1, test: 2 },
  103: { train: 10, validation: 1, test: 2 },
  104: { train: 9, validation: 1, test: 2 },
  105: { train: 8, validation: 1, test: 2 },
  106: { train: 7, validation: 1, test: 2 },
  107: { train: 10, validation: 1, test: 0 },
  108: { train: 2, validation: 0, test: 1 },
  109: { train: 3, validation: 0, test: 2 },
};
const specs: Record<'train' | 'validation' | 'test', RowSpec[]> = { train: [], validation: [], test: [] };
let nextRanking = 1000;
for (const [user, counts] of Object.entries(plan)) {
  for (const split of ['train', 'validation', 'test'] as const) {
    for (let index = 0; index < counts[split]; index++) {
      const ranking = nextRanking++;
      specs[split].push({ rankingId: ranking, userId: Number(user), labels: ranking % 3 === 0 ? [0, 1] : [1, 0], images: [palette[ranking % 4]!, palette[(ranking + 1) % 4]!] });
    }
  }
  for (let index = 0; index < (counts.ties ?? 0); index++) {
    specs.train.push({ rankingId: nextRanking++, userId: Number(user), labels: [0.5, 0.5], images: [palette[0]!, palette[1]!] });
  }
}
// Shuffle users across rows, as in the real shards.
for (const list of Object.values(specs)) list.sort((a, b) => ((a.rankingId * 7919) % 101) - ((b.rankingId * 7919) % 101) || a.rankingId - b.rankingId);
const specByRanking = new Map(Object.values(specs).flat().map((spec) => [spec.rankingId, spec]));

const hub = createFakeHub({
  repositories: [
    {
      repository: 'yuvalkirstain/pickapic_v1',
      revision: 'main',
      files: {
        'data/train-00000-of-00002-aa11bb22cc33dd44.parquet': writePickapicParquet(specs.train.slice(0, 40).map(pickapicRow)),
        'data/train-00001-of-00002-bb22cc33dd44ee55.parquet': writePickapicParquet(specs.train.slice(40).map(pickapicRow)),
        'data/validation-00000-of-00001-cc33dd44ee55ff66.parquet': writePickapicParquet(specs.validation.map(pickapicRow)),
        'data/test-00000-of-00001-dd44ee55ff66aa77.parquet': writePickapicParquet(specs.test.map(pickapicRow)),
      },
    },
  ],
});

const cacheDirectory = mkdtempSync(join(tmpdir(), 'pal-pick-a-filter-'));
afterAll(() => rmSync(cacheDirectory, { recursive: true, force: true }));
const fixture: PickAFilterDatasetSettings = {
  fetch: hub.fetch,
  cacheDirectory,
  beta: 0.5,
  usersPerGroup: 3,
  seenUsersPerGroup: 1,
  minimumLabels: 4,
  verifyCounts: false,
};

testDatasetAdapter({
  name: 'createPickAFilterDataset conformance',
  create: () => createPickAFilterDataset(fixture),
  createWithSeed: (seed) => createPickAFilterDataset({ ...fixture, seed }),
  badInputs: [
    { name: 'a mixture ratio above 1', create: () => createPickAFilterDataset({ ...fixture, beta: 1.5 }), expectedMessage: /beta: expected a number in \[0, 1\], found 1\.5/ },
    {
      name: 'user counts that differ from appendix D.6',
      create: () => createPickAFilterDataset({ ...fixture, verifyCounts: true }),
      expectedMessage: /expected 468 users with pairs in both train and test and 234 of them with more than 4 labels, found 8 and 7/,
    },
  ],
});

const rankingOf = (example: PreferenceExample) => Number(example.id.split('ranking-')[1]);
const imageOf = (input: PreferenceExample['left']) => input as { kind: 'image'; id: string; bytes: Uint8Array };

async function meanColour(bytes: Uint8Array): Promise<number[]> {
  const stats = await sharp(bytes).stats();
  return stats.channels.slice(0, 3).map((channel) => channel.mean);
}

describe('createPickAFilterDataset on fixture shards', () => {
  let half: PreferenceExample[];
  let full: PreferenceExample[];
  beforeAll(async () => {
    half = (await createPickAFilterDataset(fixture).doLoad()).examples;
    full = (await createPickAFilterDataset({ ...fixture, beta: 1 }).doLoad()).examples;
  });

  it('should keep the 2 x 3 most active users with pairs in train and test, dealt alternately into blue and red, first of each seen', () => {
    const groupOf = new Map(half.map((example) => [example.userId, example.group]));
    expect([...groupOf.keys()].sort()).toEqual(['101', '102', '103', '104', '105', '106']);
    expect(['101', '103', '105'].map((user) => groupOf.get(user))).toEqual(['blue', 'blue', 'blue']);
    expect(['102', '104', '106'].map((user) => groupOf.get(user))).toEqual(['red', 'red', 'red']);
    for (const example of half) {
      const seen = example.userId === '101' || example.userId === '102';
      expect(example.split.startsWith('unseen-')).toBe(!seen);
    }
    expect(half.filter((example) => example.userId === '101').length).toBe(15);
    expect(half.filter((example) => example.userId === '104' && example.split === 'unseen-train').length).toBe(9);
  });

  it('should put the first half of the sorted users in blue with groupAssignment halves', async () => {
    const examples = (await createPickAFilterDataset({ ...fixture, groupAssignment: 'halves' }).doLoad()).examples;
    const groupOf = new Map(examples.map((example) => [example.userId, example.group]));
    expect(['101', '102', '103', '104', '105', '106'].map((user) => groupOf.get(user))).toEqual(['blue', 'blue', 'blue', 'red', 'red', 'red']);
  });

  it('should filter round(beta x n) pairs per user and split, half on the winner only and half on the loser only', () => {
    const byUserSplit = new Map<string, PreferenceExample[]>();
    for (const example of half) byUserSplit.set(`${example.userId}/${example.split}`, [...(byUserSplit.get(`${example.userId}/${example.split}`) ?? []), example]);
    for (const examples of byUserSplit.values()) {
      const filtered = examples.filter((example) => imageOf(example.left).id.includes('+') || imageOf(example.right).id.includes('+'));
      expect(filtered.length).toBe(Math.round(0.5 * examples.length));
      const onWinner = filtered.filter((example) => imageOf(example.preferred === 'left' ? example.left : example.right).id.includes('+')).length;
      expect(onWinner).toBe(Math.ceil(filtered.length / 2));
    }
  });

  it('should give the winner the group colour and the loser the other colour, never both images', () => {
    for (const example of full) {
      const winner = imageOf(example.preferred === 'left' ? example.left : example.right);
      const loser = imageOf(example.preferred === 'left' ? example.right : example.left);
      const other = example.group === 'blue' ? 'red' : 'blue';
      const winnerFiltered = winner.id.includes('+');
      expect(winnerFiltered).not.toBe(loser.id.includes('+'));
      if (winnerFiltered) expect(winner.id).toMatch(new RegExp(`^img-\\d+-[01]\\+${example.group}-0\\.3$`));
      else expect(loser.id).toMatch(new RegExp(`^img-\\d+-[01]\\+${other}-0\\.3$`));
    }
  });

  it('should keep unfiltered images byte for byte and keep the pairs filtered at beta 0.5 filtered the same way at beta 1', () => {
    const fullById = new Map(full.map((example) => [example.id, example]));
    for (const example of half) {
      const spec = specByRanking.get(rankingOf(example))!;
      for (const [side, index] of [['left', 0], ['right', 1]] as const) {
        const image = imageOf(example[side]);
        if (!image.id.includes('+')) {
          expect(image.bytes).toEqual(spec.images[index]);
          continue;
        }
        expect(imageOf(fullById.get(example.id)![side]).id).toBe(image.id);
      }
    }
  });

  it('should blend filtered pixels 30 % toward pure blue or red', async () => {
    const example = full.find((candidate) => imageOf(candidate.left).id.endsWith('+blue-0.3'))!;
    const spec = specByRanking.get(rankingOf(example))!;
    const original = colours[palette.indexOf(spec.images[0])]!;
    const filtered = await meanColour(imageOf(example.left).bytes);
    const expected = original.map((value, channel) => 0.7 * value + 0.3 * [0, 0, 255][channel]!);
    filtered.forEach((value, channel) => expect(Math.abs(value - expected[channel]!)).toBeLessThan(4));
  });
});

describe('applyColourFilter', () => {
  it('should move a grey image toward red by the given strength and return a JPEG', async () => {
    const grey = await solidJpeg(100, 100, 100);
    const filtered = await applyColourFilter(grey, 'red', 0.5);
    expect((await sharp(filtered).metadata()).format).toBe('jpeg');
    const [red, green, blue] = await meanColour(filtered);
    expect(Math.abs(red! - 177.5)).toBeLessThan(4);
    expect(Math.abs(green! - 50)).toBeLessThan(4);
    expect(Math.abs(blue! - 50)).toBeLessThan(4);
  });
});

describe('table8Differences', () => {
  function cells(adjust: (group: string, kind: string, split: string, count: number) => number) {
    const pairs: { group: 'blue' | 'red'; seen: boolean; split: 'train' | 'validation' | 'test' }[] = [];
    for (const group of ['blue', 'red'] as const) {
      for (const kind of ['seen', 'unseen'] as const) {
        for (const split of ['train', 'validation', 'test'] as const) {
          const count = adjust(group, kind, split, pickAFilterTable8[group][kind][split]);
          for (let index = 0; index < count; index++) pairs.push({ group, seen: kind === 'seen', split });
        }
      }
    }
    return pairs;
  }

  it('should accept the twelve sizes of Table 8 and name each cell that differs', () => {
    expect(table8Differences(cells((_group, _kind, _split, count) => count))).toEqual([]);
    const shifted = cells((group, kind, split, count) => (group === 'red' && kind === 'unseen' && split === 'validation' ? count - 1 : count));
    expect(table8Differences(shifted)).toEqual(['red unseen validation: expected 52, found 51']);
  });
});
