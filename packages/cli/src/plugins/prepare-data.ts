import {
  embedPreferenceExamples,
  InvalidArgumentError,
  generateSyntheticPreferences,
  type DatasetAdapterV1,
  type DatasetSplit,
  type EmbeddedComparisons,
  type PreferenceEmbeddingProgress,
} from '@pal/core';
import { createPersonasDataset } from '@pal/datasets-personas';
import { splitShotsPerUser } from '@pal/eval';
import type { CliConfig } from '../config/config-schema.js';
import { checkConfigSection } from '../config/load-config.js';
import type { Output } from '../output/output.js';
import { createEncoder } from './encoders.js';

/** A dataset embedded and split, ready for training and evaluation. */
export interface PreparedData {
  name: string;
  description: string;
  splits: Partial<Record<DatasetSplit, EmbeddedComparisons>>;
  /** True group of each user, when the dataset knows it. */
  groups: Record<string, string>;
  itemDim: number;
  promptDim: number;
  /** Encoder id, or `none` for data that arrives embedded (synthetic). */
  encoderId: string;
  timings: { loadMs: number; embedMs: number };
}

async function datasetAdapter(config: CliConfig['dataset']): Promise<DatasetAdapterV1> {
  const { kind, ...settings } = config;
  if (kind === 'personas') return createPersonasDataset(settings);
  const module = await import('@pal/datasets-files');
  return module.createFileDataset(checkConfigSection(module.fileDatasetSettingsSchema, settings, 'config', 'dataset'));
}

/** The synthetic data of paper D.2 arrives embedded; unseen users' pairs are halved into a few-shot pool and a test part. */
function prepareSynthetic(config: CliConfig['dataset']): PreparedData {
  const started = Date.now();
  const { kind: _kind, ...settings } = config;
  const data = generateSyntheticPreferences(settings);
  const groups = Object.fromEntries(data.train.userIds.map((id, index) => [id, `prototype ${data.truth.userGroup[index]! + 1}`]));
  const splits: PreparedData['splits'] = { train: data.train, validation: data.validation, test: data.test };
  if (data.unseen.label.length > 0) {
    const perUser = Math.floor(data.unseen.label.length / new Set(data.unseen.user).size);
    const { shots, rest } = splitShotsPerUser(data.unseen, Math.floor(perUser / 2));
    splits['unseen-train'] = shots;
    splits['unseen-test'] = rest;
  }
  return {
    name: `synthetic-${data.truth.prototypes.rows}`,
    description: `Synthetic ${settings.setting ?? 'mixture'} preferences (paper section 4.2 / D.2)`,
    splits,
    groups,
    itemDim: data.train.items.cols,
    promptDim: data.train.prompts.cols,
    encoderId: 'none',
    timings: { loadMs: Date.now() - started, embedMs: 0 },
  };
}

/**
 * Loads the configured dataset and embeds it with the configured encoder through the on-disk cache.
 * `joint` embeds prompt and item together as the item (no prompt embedding), as the paper's PAL-A runs do.
 */
export async function prepareData(config: CliConfig, output: Output, options: { joint?: boolean } = {}): Promise<PreparedData> {
  if (config.dataset.kind === 'synthetic') return prepareSynthetic(config.dataset);
  const loadStarted = Date.now();
  const adapter = await datasetAdapter(config.dataset);
  const dataset = await output.task(`load ${adapter.name}`, () => adapter.doLoad());
  const loadMs = Date.now() - loadStarted;
  const embedStarted = Date.now();
  const encoder = await createEncoder(config.encoder);
  const bar = output.progress(`embed (${encoder.name})`);
  let embedded;
  try {
    embedded = await embedPreferenceExamples(dataset.examples, {
      encoder,
      joint: options.joint ?? false,
      cacheDirectory: config.cacheDirectory,
      onProgress: (progress: PreferenceEmbeddingProgress) => bar.update(progress.done, progress.total),
      onWarning: (warning) => output.info(`warning: ${warning}`),
    });
  } finally {
    bar.stop();
  }
  const any = Object.values(embedded.splits).find((split) => split !== undefined)!;
  return {
    name: dataset.info.name,
    description: dataset.info.description,
    splits: embedded.splits,
    groups: embedded.groups,
    itemDim: any.items.cols,
    promptDim: any.prompts.cols,
    encoderId: encoder.id,
    timings: { loadMs, embedMs: Date.now() - embedStarted },
  };
}

/** A split of the data, or an error naming the dataset and the missing split. */
export function requireSplit(data: PreparedData, split: DatasetSplit): EmbeddedComparisons {
  const found = data.splits[split];
  if (!found || found.label.length === 0) throw new InvalidArgumentError(`dataset ${data.name}: expected "${split}" comparisons, found none`, { source: 'cli' });
  return found;
}
