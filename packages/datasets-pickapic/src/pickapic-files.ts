import { downloadHubDataset, type HubFile } from '@pal/hub-datasets';
import type { DatasetLoadOptionsV1 } from '@pal/core';
import type { PickapicSplit } from './pickapic-settings.js';

/** Hub repositories of the two Pick-a-Pic versions. */
export const pickapicRepositories = { v1: 'yuvalkirstain/pickapic_v1', v2: 'yuvalkirstain/pickapic_v2' } as const;

/** Shards as the repositories name them: `data/<split>-00012-of-00387-<hash>.parquet`. */
function shardPattern(splits: readonly PickapicSplit[]): RegExp {
  return new RegExp(`^data/(?:${splits.join('|')})-\\d{5}-of-\\d{5}(?:-[0-9a-f]+)?\\.parquet$`);
}

/** The split a shard belongs to, read from its file name. */
export function splitOfShard(path: string): PickapicSplit {
  const match = /^data\/(train|validation|test)-/.exec(path);
  if (!match) throw new Error(`not a Pick-a-Pic shard path: ${path}`);
  return match[1] as PickapicSplit;
}

/** Connection settings as the adapters pass them on. */
export interface PickapicConnection {
  cacheDirectory?: string;
  fetch?: typeof fetch;
  hubUrl?: string;
  accessToken?: string;
  offline?: boolean;
  maxFilesPerSplit?: number;
}

/**
 * Downloads (or finds in the cache) the shards of the requested splits, in split order then shard order.
 * With `maxFilesPerSplit`, only the first shards of each split are fetched.
 */
export async function downloadPickapicShards(
  version: 'v1' | 'v2',
  splits: readonly PickapicSplit[],
  connection: PickapicConnection,
  options: DatasetLoadOptionsV1,
): Promise<HubFile[]> {
  const repository = pickapicRepositories[version];
  const files: HubFile[] = [];
  for (const split of splits) {
    const dataset = await downloadHubDataset(
      {
        repository,
        revision: 'main',
        folder: 'data',
        include: shardPattern([split]),
        limit: connection.maxFilesPerSplit,
        description: `data/${split}-NNNNN-of-NNNNN-<hash>.parquet`,
      },
      {
        cacheDirectory: connection.cacheDirectory,
        fetch: connection.fetch,
        hubUrl: connection.hubUrl,
        accessToken: connection.accessToken,
        offline: connection.offline,
        signal: options.signal,
        onProgress: options.onProgress,
      },
    );
    files.push(...dataset.files);
  }
  return files;
}
