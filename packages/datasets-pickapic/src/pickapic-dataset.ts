import { join } from 'node:path';
import { parseOptions, type DatasetAdapterV1, type DatasetLoadOptionsV1, type DatasetV1, type PreferenceExample } from '@pal/core';
import { readParquetRows, resolveCacheDirectory, UpstreamDataMismatchError } from '@pal/hub-datasets';
import { createImageStore } from './image-store.js';
import { readV2TestSubsets } from './leakage-ranking-ids.js';
import { downloadPickapicShards, pickapicRepositories, splitOfShard } from './pickapic-files.js';
import { parsePickapicPair, pickapicPairColumns } from './pickapic-row.js';
import {
  pickapicDatasetSettingsSchema,
  pickapicRowCounts,
  pickapicV2SubsetCounts,
  type PickapicDatasetSettings,
  type PickapicSplit,
} from './pickapic-settings.js';

const source = 'datasets-pickapic';

/** Citation of the Pick-a-Pic data. */
export const pickapicCitation =
  'Kirstain et al. 2023, "Pick-a-Pic: An Open Dataset of User Preferences for Text-to-Image Generation" (NeurIPS 2023).';

/** Gives each example a unique id from its ranking id, numbering the rare repeats. */
export function createIdAllocator(): (base: string) => string {
  const used = new Map<string, number>();
  return (base) => {
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  };
}

/**
 * Pick-a-Pic v1 or v2 (PAL paper section 3.2, appendix D.5) from the Hub's parquet shards: ties dropped,
 * prompt = caption, items = the two generated images (`id` = image uid), user id = Pick-a-Pic `user_id`,
 * example id = `pickapic-<version>/<split>/ranking-<ranking_id>`. For v2 the test split can be narrowed to
 * the "leakage" pairs that overlap v1 train / validation or the "no-leakage" rest, using the ranking id
 * tables shipped with the package. Row counts are checked against the dataset cards and the paper.
 */
export function createPickapicDataset(settings: PickapicDatasetSettings = {}): DatasetAdapterV1 {
  const resolved = parseOptions(pickapicDatasetSettingsSchema, settings, 'Pick-a-Pic dataset settings');
  const splits: PickapicSplit[] = resolved.splits ?? (resolved.subset ? ['test'] : ['train', 'validation', 'test']);
  const name = `pickapic-${resolved.version}${resolved.subset ? `-${resolved.subset}` : ''}`;
  const repository = pickapicRepositories[resolved.version];
  const verify = resolved.verifyCounts && resolved.maxFilesPerSplit === undefined;

  return {
    specificationVersion: 'v1',
    name,
    async doLoad(options: DatasetLoadOptionsV1 = {}): Promise<DatasetV1> {
      options.signal?.throwIfAborted();
      const needSubsets = resolved.version === 'v2' && splits.includes('test') && (resolved.subset !== undefined || verify);
      const subsets = needSubsets ? await readV2TestSubsets() : undefined;
      const files = await downloadPickapicShards(resolved.version, splits, resolved, options);
      const imageDirectory = resolved.imageDirectory ?? join(resolveCacheDirectory(resolved.cacheDirectory), 'images', repository);
      const images = createImageStore(resolved.images, imageDirectory);
      const allocateId = createIdAllocator();

      const rows: Record<PickapicSplit, number> = { train: 0, validation: 0, test: 0 };
      const examples: PreferenceExample[] = [];
      for (const [fileIndex, file] of files.entries()) {
        const split = splitOfShard(file.path);
        for await (const { values, rowNumber } of readParquetRows(file.localPath, { columns: [...pickapicPairColumns], displayName: file.path, source })) {
          if (rowNumber % 1024 === 0) options.signal?.throwIfAborted();
          const pair = parsePickapicPair(values, { file: file.path, rowNumber });
          rows[split]++;
          if (split === 'test' && subsets) {
            const subset = subsets.leakage.has(pair.rankingId) ? 'leakage' : subsets['no-leakage'].has(pair.rankingId) ? 'no-leakage' : undefined;
            if (subset === undefined && verify) {
              throw new UpstreamDataMismatchError(
                `file ${file.path} row ${rowNumber}: ranking id ${pair.rankingId} of the v2 test split is in neither the leakage nor the ` +
                  'no-leakage table shipped with the package; the upstream test split changed (pass verifyCounts: false to load it anyway)',
                { source },
              );
            }
            if (resolved.subset !== undefined && subset !== resolved.subset) continue;
          }
          if (pair.outcome === 'tie' || pair.outcome === 'unlabelled') continue;
          examples.push({
            id: allocateId(`pickapic-${resolved.version}/${split}/ranking-${pair.rankingId}`),
            userId: pair.userId,
            prompt: pair.caption,
            left: await images.toInput(pair.image0.uid, pair.image0.bytes),
            right: await images.toInput(pair.image1.uid, pair.image1.bytes),
            preferred: pair.outcome,
            split,
          });
        }
        options.onProgress?.({ stage: 'read pairs', done: fileIndex + 1, total: files.length });
      }

      if (verify) {
        const problems: string[] = [];
        for (const split of splits) {
          const expected = pickapicRowCounts[resolved.version][split];
          if (rows[split] !== expected) problems.push(`${split}: expected ${expected} rows, found ${rows[split]}`);
        }
        if (resolved.subset !== undefined && examples.length !== pickapicV2SubsetCounts[resolved.subset]) {
          problems.push(`${resolved.subset} subset: expected ${pickapicV2SubsetCounts[resolved.subset]} pairs without ties, found ${examples.length}`);
        }
        if (problems.length > 0) {
          throw new UpstreamDataMismatchError(
            `${repository} differs from the dataset the paper used: ${problems.join('; ')}. Pass verifyCounts: false to load it anyway.`,
            { source },
          );
        }
      }

      return {
        info: {
          name,
          description:
            `Pick-a-Pic ${resolved.version} text-to-image preferences (${repository}), splits ${splits.join(', ')}` +
            `${resolved.subset ? `, ${resolved.subset} subset of the test split` : ''}; ties dropped; prompt = caption, items = the two images.`,
          citation: pickapicCitation,
        },
        examples,
      };
    },
  };
}
