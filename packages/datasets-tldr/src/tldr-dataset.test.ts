import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreferenceExample } from '@pal/core';
import { testDatasetAdapter } from '@pal/core/test';
import { UpstreamDataMismatchError } from '@pal/hub-datasets';
import { createFakeHub } from '@pal/hub-datasets/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFixtureRows,
  fixtureCounts,
  fixtureUnseenMinimum,
  seenWorkers,
  unseenComparisonsOf,
  unseenWorkers,
  writeComparisonsParquet,
  type ComparisonRow,
} from './__fixtures__/comparisons-parquet.js';
import { createTldrDataset } from './tldr-dataset.js';
import type { TldrDatasetSettings } from './tldr-settings.js';

const repository = 'openai/summarize_from_feedback';
const revision = 'refs/convert/parquet';
const rows = buildFixtureRows();
const trainPath = 'comparisons/train/0000.parquet';
const validationPath = 'comparisons/validation/0000.parquet';

function withRow(source: ComparisonRow[], index: number, change: (row: ComparisonRow) => ComparisonRow): ComparisonRow[] {
  return source.map((row, position) => (position === index ? change(structuredClone(row)) : row));
}

const validationFile = writeComparisonsParquet(rows.validation);
const hub = createFakeHub({
  repositories: [
    { repository, revision, files: { [trainPath]: writeComparisonsParquet(rows.train), [validationPath]: validationFile } },
    {
      repository,
      revision: 'one-summary',
      files: {
        [trainPath]: writeComparisonsParquet(withRow(rows.train, 7, (row) => ({ ...row, summaries: row.summaries!.slice(0, 1) }))),
        [validationPath]: validationFile,
      },
    },
    {
      repository,
      revision: 'no-worker',
      files: { [trainPath]: writeComparisonsParquet(withRow(rows.train, 3, (row) => ({ ...row, worker: null }))), [validationPath]: validationFile },
    },
    {
      repository,
      revision: 'reordered',
      // Twelve more supervised comparisons for the 10th worker move it to the top of value_counts.
      files: {
        [trainPath]: writeComparisonsParquet([...rows.train, ...Array.from({ length: 12 }, () => ({ ...rows.train.find((row) => row.worker === seenWorkers[9] && row.summaries![0]!.policy === 'sup2')! }))]),
        [validationPath]: validationFile,
      },
    },
    { repository, revision: 'train-only', files: { [trainPath]: writeComparisonsParquet(rows.train) } },
  ],
});

const cacheDirectory = mkdtempSync(join(tmpdir(), 'pal-tldr-'));
const emptyCacheDirectory = mkdtempSync(join(tmpdir(), 'pal-tldr-empty-'));
afterAll(() => {
  rmSync(cacheDirectory, { recursive: true, force: true });
  rmSync(emptyCacheDirectory, { recursive: true, force: true });
});

const fixtureSettings: TldrDatasetSettings = {
  fetch: hub.fetch,
  cacheDirectory,
  expectedCounts: fixtureCounts,
  unseenMinimumComparisons: fixtureUnseenMinimum,
  unseenShots: 1,
  unseenValidationShots: 1,
};

testDatasetAdapter({
  name: 'createTldrDataset conformance',
  create: () => createTldrDataset(fixtureSettings),
  createWithSeed: (seed) => createTldrDataset({ ...fixtureSettings, seed }),
  badInputs: [
    {
      name: 'a comparison with one summary',
      create: () => createTldrDataset({ ...fixtureSettings, revision: 'one-summary' }),
      expectedMessage: /^\[pal\] \[datasets-tldr\] file comparisons\/train\/0000\.parquet row 7: summaries: expected 2 summaries, found 1$/,
    },
    {
      name: 'a comparison without a worker',
      create: () => createTldrDataset({ ...fixtureSettings, revision: 'no-worker' }),
      expectedMessage: /file comparisons\/train\/0000\.parquet row 3: worker: expected a string, found null/,
    },
    {
      name: 'seen workers that differ from the shipped table',
      create: () => createTldrDataset({ ...fixtureSettings, revision: 'reordered' }),
      expectedMessage: new RegExp(`differ from data/pal_summary_seen_workers\\.json .*found ${seenWorkers[9]} \\(33\\), ${seenWorkers[0]} \\(30\\)`),
    },
    {
      name: 'a revision without the validation split',
      create: () => createTldrDataset({ ...fixtureSettings, revision: 'train-only' }),
      expectedMessage: /openai\/summarize_from_feedback@train-only has no validation parquet file under comparisons\//,
    },
    {
      name: 'split sizes that differ from the paper',
      create: () => createTldrDataset({ ...fixtureSettings, expectedCounts: undefined }),
      expectedMessage: /expected 20969 train \/ 2330 validation \/ 4921 test and 31 unseen users, found 229 \/ 26 \/ 50 and 31/,
    },
    {
      name: 'offline mode with an empty cache',
      create: () => createTldrDataset({ ...fixtureSettings, cacheDirectory: emptyCacheDirectory, offline: true }),
      expectedMessage: /offline mode is on and no files of openai\/summarize_from_feedback@refs\/convert\/parquet are cached.*place them under/,
    },
    {
      name: 'an N outside the paper grid',
      create: () => createTldrDataset({ ...fixtureSettings, unseenShots: 3 }),
      expectedMessage: /unseenShots: expected one of 1, 2, 5, 10, 20, 50, 100, found 3/,
    },
    {
      name: 'more shots than an unseen user has',
      create: () => createTldrDataset({ ...fixtureSettings, unseenShots: 5 }),
      expectedMessage: /unseen worker \S+ has [4-6] comparisons, fewer than unseenShots \(5\) \+ unseenValidationShots \(1\) \+ 1 test pair/,
    },
  ],
});

function sourceRow(example: PreferenceExample): ComparisonRow {
  const [, split, index] = example.id.split('/');
  return (split === 'train' ? rows.train : rows.validation)[Number(index)]!;
}

function codePoints(text: string): number {
  return [...text].length;
}

function expectedPreferred(row: ComparisonRow, preference: string): 'left' | 'right' {
  const [left, right] = row.summaries!.map((summary) => codePoints(summary.text)) as [number, number];
  if (preference === 'longer') return left > right ? 'left' : 'right';
  return left < right ? 'left' : 'right';
}

describe('createTldrDataset on fixture parquet files', () => {
  let examples: PreferenceExample[];
  beforeAll(async () => {
    examples = (await createTldrDataset(fixtureSettings).doLoad()).examples;
  });

  const split = (name: string) => examples.filter((example) => example.split === name);

  it('should keep the ten seen workers with a 90/10 split stratified by worker and their validation-split rows as test', () => {
    expect(split('train').length).toBe(229);
    expect(split('validation').length).toBe(26);
    expect(split('test').length).toBe(50);
    seenWorkers.forEach((worker, rank) => {
      const trainCount = 30 - rank;
      const validation = split('validation').filter((example) => example.userId === worker).length;
      expect(validation === Math.floor(trainCount / 10) || validation === Math.ceil(trainCount / 10)).toBe(true);
      expect(split('train').filter((example) => example.userId === worker).length).toBe(trainCount - validation);
      expect(split('test').filter((example) => example.userId === worker).length).toBe(5);
    });
    const seenIds = new Set(seenWorkers);
    expect(['train', 'validation', 'test'].flatMap(split).every((example) => seenIds.has(example.userId))).toBe(true);
  });

  it('should drop PPO and reference policies, rows without a post, and workers below the thresholds', () => {
    for (const example of examples) {
      const row = sourceRow(example);
      expect(row.summaries!.every((summary) => summary.policy.includes('sup') && !summary.policy.includes('ppo'))).toBe(true);
      expect(row.info.post).not.toBeNull();
    }
    expect(examples.some((example) => example.userId.startsWith('trainOnlyWorker') || example.userId.startsWith('rareValidationWorker'))).toBe(false);
  });

  it('should relabel by summary length: seen indices 3-5 prefer shorter, the other seen workers longer, ties to the right item', () => {
    for (const example of split('train').concat(split('validation'), split('test'))) {
      const rank = seenWorkers.indexOf(example.userId);
      const preference = [3, 4, 5].includes(rank) ? 'shorter' : 'longer';
      expect(example.group).toBe(preference);
      expect(example.preferred).toBe(expectedPreferred(sourceRow(example), preference));
    }
    const ties = examples.filter((example) => {
      const row = sourceRow(example);
      return codePoints(row.summaries![0]!.text) === codePoints(row.summaries![1]!.text);
    });
    expect(ties.length).toBeGreaterThan(0);
    expect(ties.every((example) => example.preferred === 'right')).toBe(true);
  });

  it('should use the post with its title as the prompt and the two summaries as items', () => {
    const example = split('test')[0]!;
    const row = sourceRow(example);
    expect(example.prompt).toBe(`${row.info.title}\n\n${row.info.post}`);
    expect(example.left).toBe(row.summaries![0]!.text);
    expect(example.right).toBe(row.summaries![1]!.text);
  });

  it('should give each of the 31 unseen workers N training pairs, the validation pairs, and the rest as test, 70 % preferring longer', () => {
    unseenWorkers.forEach((worker, index) => {
      const own = examples.filter((example) => example.userId === worker);
      expect(own.length).toBe(unseenComparisonsOf(index));
      expect(own.filter((example) => example.split === 'unseen-train').length).toBe(1);
      expect(own.filter((example) => example.split === 'unseen-validation').length).toBe(1);
      expect(own.filter((example) => example.split === 'unseen-test').length).toBe(unseenComparisonsOf(index) - 2);
      expect(new Set(own.map((example) => example.group)).size).toBe(1);
      for (const example of own) expect(example.preferred).toBe(expectedPreferred(sourceRow(example), example.group!));
    });
    const longer = unseenWorkers.filter((worker) => examples.find((example) => example.userId === worker)!.group === 'longer');
    expect(longer.length).toBe(22);
  });

  it('should keep the seen split and grow the unseen training pairs as nested sets when N grows', async () => {
    const two = (await createTldrDataset({ ...fixtureSettings, unseenShots: 2 }).doLoad()).examples;
    const ids = (list: PreferenceExample[], name: string) => list.filter((example) => example.split === name).map((example) => example.id);
    expect(ids(two, 'train')).toEqual(ids(examples, 'train'));
    expect(ids(two, 'validation')).toEqual(ids(examples, 'validation'));
    const oneShot = new Set(ids(examples, 'unseen-train'));
    const twoShot = new Set(ids(two, 'unseen-train'));
    expect(twoShot.size).toBe(62);
    expect([...oneShot].every((id) => twoShot.has(id))).toBe(true);
  });

  it('should serve a second load from the cache without any network request', async () => {
    const before = hub.requests.length;
    await createTldrDataset(fixtureSettings).doLoad();
    expect(hub.requests.length).toBe(before);
  });

  it('should use the workers it finds when the check against the shipped tables is off', async () => {
    const dataset = await createTldrDataset({ ...fixtureSettings, revision: 'reordered', verifyWorkers: false, expectedCounts: false }).doLoad();
    const topWorker = dataset.examples.find((example) => example.split === 'train' && example.userId === seenWorkers[9]);
    expect(topWorker?.group).toBe('longer');
    // The old rank-8 worker is now at index 9 and the old index-2 worker moved to index 3 (prefers shorter).
    expect(dataset.examples.find((example) => example.userId === seenWorkers[2] && example.split === 'train')?.group).toBe('shorter');
  });

  it('should raise UpstreamDataMismatchError for a worker table mismatch', async () => {
    const failure = await createTldrDataset({ ...fixtureSettings, revision: 'reordered' }).doLoad().catch((error: unknown) => error);
    expect(UpstreamDataMismatchError.isInstance(failure)).toBe(true);
  });
});
