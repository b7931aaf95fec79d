import { join } from 'node:path';
import {
  parseOptions,
  type DatasetAdapterV1,
  type DatasetLoadOptionsV1,
  type DatasetSplit,
  type DatasetV1,
  type EncodableInput,
  type PreferenceExample,
} from '@pal/core';
import { readParquetRows, resolveCacheDirectory, UpstreamDataMismatchError, type HubFile } from '@pal/hub-datasets';
import { applyColourFilter, type FilterColour } from './colour-filter.js';
import { createImageStore, type ImageStore } from './image-store.js';
import { pickapicCitation, createIdAllocator } from './pickapic-dataset.js';
import { downloadPickapicShards, pickapicRepositories, splitOfShard } from './pickapic-files.js';
import { parsePickapicLabel, parsePickapicPair, pickapicLabelColumns, pickapicPairColumns, type PickapicPair } from './pickapic-row.js';
import type { PickapicSplit } from './pickapic-settings.js';
import {
  pickAFilterDatasetSettingsSchema,
  pickAFilterUserCounts,
  type PickAFilterDatasetSettings,
  type ResolvedPickAFilterDatasetSettings,
} from './pick-a-filter-settings.js';
import { filtersOf, planFilters, selectPickAFilterUsers, table8Differences, type PickAFilterUser, type UserSplitCounts } from './pick-a-filter-protocol.js';

const source = 'datasets-pickapic';
const splits: PickapicSplit[] = ['train', 'validation', 'test'];

/** Pass 1: labelled-pair counts per user and split, from the label columns only (no image bytes). */
async function countLabelledPairs(files: readonly HubFile[], options: DatasetLoadOptionsV1): Promise<Map<string, UserSplitCounts>> {
  const counts = new Map<string, UserSplitCounts>();
  for (const [fileIndex, file] of files.entries()) {
    const split = splitOfShard(file.path);
    for await (const { values, rowNumber } of readParquetRows(file.localPath, { columns: [...pickapicLabelColumns], displayName: file.path, source })) {
      if (rowNumber % 4096 === 0) options.signal?.throwIfAborted();
      const label = parsePickapicLabel(values, { file: file.path, rowNumber });
      if (label.outcome !== 'left' && label.outcome !== 'right') continue;
      let userCounts = counts.get(label.userId);
      if (!userCounts) counts.set(label.userId, (userCounts = { train: 0, validation: 0, test: 0 }));
      userCounts[split]++;
    }
    options.onProgress?.({ stage: 'count labels', done: fileIndex + 1, total: files.length });
  }
  return counts;
}

type SelectedPair = PickapicPair & { split: PickapicSplit; user: PickAFilterUser };

/** Pass 2: the full rows of the selected users' labelled pairs. */
async function readSelectedPairs(
  files: readonly HubFile[],
  users: ReadonlyMap<string, PickAFilterUser>,
  options: DatasetLoadOptionsV1,
): Promise<SelectedPair[]> {
  const pairs: SelectedPair[] = [];
  for (const [fileIndex, file] of files.entries()) {
    const split = splitOfShard(file.path);
    for await (const { values, rowNumber } of readParquetRows(file.localPath, { columns: [...pickapicPairColumns], displayName: file.path, source })) {
      if (rowNumber % 1024 === 0) options.signal?.throwIfAborted();
      const user = users.get(String(values.user_id));
      if (!user) continue;
      const pair = parsePickapicPair(values, { file: file.path, rowNumber });
      if (pair.outcome === 'left' || pair.outcome === 'right') pairs.push({ ...pair, split, user });
    }
    options.onProgress?.({ stage: 'read pairs', done: fileIndex + 1, total: files.length });
  }
  return pairs;
}

function checkUserCounts(inBothSplits: number, eligible: number, settings: ResolvedPickAFilterDatasetSettings): void {
  if (inBothSplits === pickAFilterUserCounts.inBothSplits && eligible === pickAFilterUserCounts.eligible) return;
  throw new UpstreamDataMismatchError(
    `Pick-a-Pic v1 users differ from appendix D.6: expected ${pickAFilterUserCounts.inBothSplits} users with pairs in both train and test ` +
      `and ${pickAFilterUserCounts.eligible} of them with more than ${settings.minimumLabels} labels, found ${inBothSplits} and ${eligible}. ` +
      'Pass verifyCounts: false to build the dataset from the users found.',
    { source },
  );
}

function checkTable8(pairs: readonly SelectedPair[], settings: ResolvedPickAFilterDatasetSettings): void {
  const problems = table8Differences(pairs.map((pair) => ({ group: pair.user.group, seen: pair.user.seen, split: pair.split })));
  if (problems.length === 0) return;
  throw new UpstreamDataMismatchError(
    `Pick-a-Filter split sizes differ from the paper's Table 8 with groupAssignment "${settings.groupAssignment}": ${problems.join('; ')}. ` +
      `Try groupAssignment: "${settings.groupAssignment === 'interleaved' ? 'halves' : 'interleaved'}", or pass verifyCounts: false.`,
    { source },
  );
}

async function imageInput(
  images: ImageStore,
  image: { uid: string; bytes: Uint8Array },
  filter: FilterColour | undefined,
  strength: number,
): Promise<EncodableInput> {
  if (filter === undefined) return images.toInput(image.uid, image.bytes);
  return images.toInput(`${image.uid}+${filter}-${strength}`, await applyColourFilter(image.bytes, filter, strength));
}

/**
 * Pick-a-Filter (PAL paper section 3.3, appendix D.6, Table 8), built from Pick-a-Pic v1: ties dropped;
 * users with pairs in both train and test and more than 50 labels, sorted by count, dealt into two
 * groups of 117; group 1 prefers a blue filter, group 2 a red one. A share beta of each user's pairs gets
 * a filter, half of them on the winning image only (the group's colour), half on the losing image only
 * (the other colour); the other pairs keep their original images. The first 50 users of each group are
 * seen, the rest unseen (`unseen-*` splits). Seeded and reproducible; filtered images get new ids.
 */
export function createPickAFilterDataset(settings: PickAFilterDatasetSettings): DatasetAdapterV1 {
  const resolved = parseOptions(pickAFilterDatasetSettingsSchema, settings, 'Pick-a-Filter dataset settings');
  const verify = resolved.verifyCounts && resolved.maxFilesPerSplit === undefined;
  const name = `pick-a-filter-beta-${resolved.beta}`;

  return {
    specificationVersion: 'v1',
    name,
    async doLoad(options: DatasetLoadOptionsV1 = {}): Promise<DatasetV1> {
      options.signal?.throwIfAborted();
      const files = await downloadPickapicShards('v1', splits, resolved, options);
      const counts = await countLabelledPairs(files, options);
      const selection = selectPickAFilterUsers(counts, resolved);
      if (verify) checkUserCounts(selection.inBothSplits, selection.eligible.length, resolved);
      const pairs = await readSelectedPairs(files, selection.users, options);
      if (verify) checkTable8(pairs, resolved);

      const pairsByUserSplit = new Map<string, SelectedPair[]>();
      for (const pair of pairs) {
        const key = `${pair.userId}/${pair.split}`;
        pairsByUserSplit.set(key, [...(pairsByUserSplit.get(key) ?? []), pair]);
      }
      const plan = planFilters(pairsByUserSplit, resolved.beta, resolved.seed);

      const repository = pickapicRepositories.v1;
      const imageDirectory = resolved.imageDirectory ?? join(resolveCacheDirectory(resolved.cacheDirectory), 'images', repository);
      const images = createImageStore(resolved.images, imageDirectory);
      const allocateId = createIdAllocator();
      const examples: PreferenceExample[] = [];
      for (const [index, pair] of pairs.entries()) {
        if (index % 256 === 0) {
          options.signal?.throwIfAborted();
          options.onProgress?.({ stage: 'apply filters', done: index, total: pairs.length });
        }
        const { winning, losing } = filtersOf(pair.user.group);
        const target = plan.get(pair);
        const leftWins = pair.outcome === 'left';
        const leftFilter = target === 'winner' ? (leftWins ? winning : undefined) : target === 'loser' ? (leftWins ? undefined : losing) : undefined;
        const rightFilter = target === 'winner' ? (leftWins ? undefined : winning) : target === 'loser' ? (leftWins ? losing : undefined) : undefined;
        const split: DatasetSplit = pair.user.seen ? pair.split : `unseen-${pair.split}`;
        examples.push({
          id: allocateId(`pick-a-filter/${pair.split}/ranking-${pair.rankingId}`),
          userId: pair.userId,
          prompt: pair.caption,
          left: await imageInput(images, pair.image0, leftFilter, resolved.filterStrength),
          right: await imageInput(images, pair.image1, rightFilter, resolved.filterStrength),
          preferred: pair.outcome as 'left' | 'right',
          split,
          group: pair.user.group,
        });
      }
      options.onProgress?.({ stage: 'apply filters', done: pairs.length, total: pairs.length });

      return {
        info: {
          name,
          description:
            `Pick-a-Filter (PAL appendix D.6) from Pick-a-Pic v1: ${selection.users.size} users in a blue-preferring and a red-preferring group ` +
            `(${resolved.groupAssignment}), ${resolved.seenUsersPerGroup} seen users per group, mixture ratio beta = ${resolved.beta}, ` +
            `filter strength ${resolved.filterStrength}, seed ${resolved.seed}.`,
          citation: `${pickapicCitation} Pick-a-Filter construction: PAL paper, appendix D.6.`,
          groups: ['blue', 'red'],
        },
        examples,
      };
    },
  };
}
