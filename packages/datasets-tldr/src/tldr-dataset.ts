import {
  InvalidArgumentError,
  parseOptions,
  Random,
  type DatasetAdapterV1,
  type DatasetLoadOptionsV1,
  type DatasetSplit,
  type DatasetV1,
  type PreferenceExample,
} from '@pal/core';
import { downloadHubDataset, readParquetRows, UpstreamDataMismatchError } from '@pal/hub-datasets';
import { readShippedWorkers } from './shipped-workers.js';
import { parseTldrRow, tldrColumns, type TldrComparison } from './tldr-comparison-row.js';
import {
  assignUnseenPreferences,
  countBy,
  isSupervisedPair,
  preferredByLength,
  rankByCount,
  seenWorkerPreference,
  stratifiedValidationPick,
  unseenParts,
  type LengthPreference,
} from './tldr-protocol.js';
import { defaultTldrPrompt, tldrDatasetSettingsSchema, type ResolvedTldrDatasetSettings, type TldrDatasetSettings } from './tldr-settings.js';

const source = 'datasets-tldr';
const seenWorkerCount = 10;

/**
 * Parquet files of the "comparisons" config: the Hub's conversion writes `comparisons/<split>/NNNN.parquet`
 * (older conversions wrote `comparisons/<name>-<split>.parquet`; both are accepted).
 */
const comparisonFiles = /^comparisons\/(?:(?:train|validation)\/[^/]+\.parquet|[^/]*-(?:train|validation)(?:-\d{5}-of-\d{5})?\.parquet)$/;

function upstreamSplitOf(path: string): 'train' | 'validation' {
  return /(?:\/|-)validation(?:\/|-|\.)/.test(path) ? 'validation' : 'train';
}

const citation =
  'Stiennon et al. 2020, "Learning to summarize from human feedback" (comparisons); length relabelling of ' +
  'Li et al. 2024, "Personalized language modeling from personalized human feedback"; protocol of the PAL paper, appendix D.3.';

/** Comparisons of one upstream split, read and validated, in file order. */
async function readComparisons(
  settings: ResolvedTldrDatasetSettings,
  options: DatasetLoadOptionsV1,
): Promise<TldrComparison[]> {
  const dataset = await downloadHubDataset(
    {
      repository: settings.repository,
      revision: settings.revision,
      folder: 'comparisons',
      include: comparisonFiles,
      description: 'comparisons/train/*.parquet and comparisons/validation/*.parquet',
    },
    {
      cacheDirectory: settings.cacheDirectory,
      fetch: settings.fetch,
      hubUrl: settings.hubUrl,
      accessToken: settings.accessToken,
      offline: settings.offline,
      signal: options.signal,
      onProgress: options.onProgress,
    },
  );
  const files = [...dataset.files].sort(
    (a, b) => upstreamSplitOf(a.path).localeCompare(upstreamSplitOf(b.path)) || a.path.localeCompare(b.path),
  );
  for (const split of ['train', 'validation'] as const) {
    if (!files.some((file) => upstreamSplitOf(file.path) === split)) {
      throw new UpstreamDataMismatchError(
        `${settings.repository}@${settings.revision} has no ${split} parquet file under comparisons/ (found ${files.map((file) => file.path).join(', ') || 'none'})`,
        { source },
      );
    }
  }
  const comparisons: TldrComparison[] = [];
  const splitRows = { train: 0, validation: 0 };
  for (const [fileIndex, file] of files.entries()) {
    const upstreamSplit = upstreamSplitOf(file.path);
    for await (const { values, rowNumber } of readParquetRows(file.localPath, { columns: [...tldrColumns], displayName: file.path, source })) {
      if (rowNumber % 4096 === 0) options.signal?.throwIfAborted();
      comparisons.push(parseTldrRow(values, { upstreamSplit, file: file.path, rowNumber, splitRowNumber: splitRows[upstreamSplit]++ }));
    }
    options.onProgress?.({ stage: 'read comparisons', done: fileIndex + 1, total: files.length });
  }
  return comparisons;
}

function describeWorkers(workers: readonly string[], counts: ReadonlyMap<string, number>): string {
  return workers.map((worker) => `${worker} (${counts.get(worker) ?? 0})`).join(', ');
}

/** The seen workers in value_counts order, checked against the shipped table when asked to. */
function chooseSeenWorkers(trainCounts: ReadonlyMap<string, number>, shipped: readonly string[], verify: boolean): string[] {
  const computed = rankByCount(trainCounts).slice(0, seenWorkerCount);
  if (!verify) return computed;
  // The shipped order wins among workers with equal counts (pandas breaks such ties by its own rule).
  const sameSet = computed.length === shipped.length && shipped.every((worker) => computed.includes(worker));
  const sameCounts = sameSet && shipped.every((worker, rank) => trainCounts.get(worker) === trainCounts.get(computed[rank]!));
  if (!sameCounts) {
    throw new UpstreamDataMismatchError(
      'the 10 most active workers of the filtered train split differ from data/pal_summary_seen_workers.json ' +
        `(worker (comparisons)): expected ${describeWorkers(shipped, trainCounts)}; found ${describeWorkers(computed, trainCounts)}. ` +
        'The upstream data differs from the one the paper used; pass verifyWorkers: false to use the workers found.',
      { source },
    );
  }
  return [...shipped];
}

function chooseUnseenWorkers(candidates: readonly string[], shipped: readonly string[], verify: boolean, minimum: number): string[] {
  const sorted = [...candidates].sort();
  if (!verify) return sorted;
  const missing = shipped.filter((worker) => !candidates.includes(worker));
  const extra = candidates.filter((worker) => !shipped.includes(worker));
  if (missing.length > 0 || extra.length > 0) {
    throw new UpstreamDataMismatchError(
      `the validation-split workers with at least ${minimum} filtered comparisons differ from data/pal_summary_unseen_workers.json: ` +
        `expected ${shipped.length} workers, found ${candidates.length}; missing ${missing.join(', ') || 'none'}; unexpected ${extra.join(', ') || 'none'}. ` +
        'Pass verifyWorkers: false to use the workers found.',
      { source },
    );
  }
  return sorted;
}

/** Builds the examples of the seen train/validation/test splits and the unseen few-shot splits. */
export function buildTldrExamples(
  comparisons: readonly TldrComparison[],
  settings: ResolvedTldrDatasetSettings,
  shipped: { seen: readonly string[]; unseen: readonly string[] },
): { examples: PreferenceExample[]; seenWorkers: string[]; unseenWorkers: string[]; skipped: number } {
  // Rows without a post (the CNN/DM comparisons of the validation split) have no TL;DR prompt: "valid pairs" only.
  const usable = comparisons.filter((comparison) => comparison.post !== null && comparison.post !== '' && isSupervisedPair(comparison.policies));
  const train = usable.filter((comparison) => comparison.upstreamSplit === 'train');
  const validation = usable.filter((comparison) => comparison.upstreamSplit === 'validation');

  const trainCounts = countBy(train, (comparison) => comparison.worker);
  const seenWorkers = chooseSeenWorkers(trainCounts, shipped.seen, settings.verifyWorkers);
  const seenPreference = new Map<string, LengthPreference>(seenWorkers.map((worker, rank) => [worker, seenWorkerPreference(rank)]));

  const validationCounts = countBy(validation, (comparison) => comparison.worker);
  const candidates = [...validationCounts]
    .filter(([worker, count]) => !seenPreference.has(worker) && count >= settings.unseenMinimumComparisons)
    .map(([worker]) => worker);
  const unseenWorkers = chooseUnseenWorkers(candidates, shipped.unseen, settings.verifyWorkers, settings.unseenMinimumComparisons);

  const root = new Random(settings.seed);
  const splitSeed = root.fork();
  const groupSeed = root.fork();
  const shotsRandom = new Random(root.fork());
  const unseenPreference = assignUnseenPreferences(unseenWorkers, settings.unseenLongerFraction, groupSeed);

  const formatPrompt = settings.formatPrompt ?? defaultTldrPrompt;
  const toExample = (comparison: TldrComparison, split: DatasetSplit, preference: LengthPreference): PreferenceExample => ({
    id: `tldr/${comparison.upstreamSplit}/${comparison.splitRowNumber}`,
    userId: comparison.worker,
    prompt: formatPrompt({ title: comparison.title, post: comparison.post!, subreddit: comparison.subreddit }),
    left: comparison.texts[0],
    right: comparison.texts[1],
    preferred: preferredByLength(comparison.texts, preference),
    split,
    group: preference,
  });

  const seenTrainByWorker = new Map<string, TldrComparison[]>(seenWorkers.map((worker) => [worker, []]));
  for (const comparison of train) seenTrainByWorker.get(comparison.worker)?.push(comparison);
  const validationPick = stratifiedValidationPick(seenTrainByWorker, splitSeed);

  const examples: PreferenceExample[] = [];
  for (const comparison of train) {
    const preference = seenPreference.get(comparison.worker);
    if (preference) examples.push(toExample(comparison, validationPick.has(comparison) ? 'validation' : 'train', preference));
  }
  for (const comparison of validation) {
    const preference = seenPreference.get(comparison.worker);
    if (preference) examples.push(toExample(comparison, 'test', preference));
  }

  const unseenByWorker = new Map<string, TldrComparison[]>(unseenWorkers.map((worker) => [worker, []]));
  for (const comparison of validation) unseenByWorker.get(comparison.worker)?.push(comparison);
  for (const worker of unseenWorkers) {
    const items = unseenByWorker.get(worker)!;
    const needed = settings.unseenShots + settings.unseenValidationShots + 1;
    if (items.length < needed) {
      throw new InvalidArgumentError(
        `unseen worker ${worker} has ${items.length} comparisons, fewer than unseenShots (${settings.unseenShots}) + ` +
          `unseenValidationShots (${settings.unseenValidationShots}) + 1 test pair; lower one of them`,
        { source },
      );
    }
    const parts = unseenParts(items, settings.unseenShots, settings.unseenValidationShots, shotsRandom.fork());
    for (const comparison of items) examples.push(toExample(comparison, parts.get(comparison)!, unseenPreference.get(worker)!));
  }
  return { examples, seenWorkers, unseenWorkers, skipped: comparisons.length - usable.length };
}

function checkCounts(examples: readonly PreferenceExample[], unseenWorkers: readonly string[], settings: ResolvedTldrDatasetSettings): void {
  const expected = settings.expectedCounts;
  if (expected === false) return;
  const found = { train: 0, validation: 0, test: 0 };
  for (const example of examples) {
    if (example.split === 'train' || example.split === 'validation' || example.split === 'test') found[example.split]++;
  }
  const unseenMismatch = expected.unseenUsers !== undefined && expected.unseenUsers !== unseenWorkers.length;
  if (found.train !== expected.train || found.validation !== expected.validation || found.test !== expected.test || unseenMismatch) {
    throw new UpstreamDataMismatchError(
      `the Reddit TL;DR splits differ from the expected sizes: expected ${expected.train} train / ${expected.validation} validation / ` +
        `${expected.test} test${expected.unseenUsers !== undefined ? ` and ${expected.unseenUsers} unseen users` : ''}, found ${found.train} / ` +
        `${found.validation} / ${found.test}${expected.unseenUsers !== undefined ? ` and ${unseenWorkers.length}` : ''}. ` +
        'The upstream data differs from the one the paper used; pass expectedCounts: false to load it anyway.',
      { source },
    );
  }
}

/**
 * Reddit TL;DR with the P-DPO length relabelling (PAL paper section 3.1, appendix D.3 and D.3.1):
 * openai/summarize_from_feedback "comparisons" from the Hub (cached), pairs of supervised summaries
 * only, the 10 most active train workers as seen users (indices 3-5 prefer shorter summaries, the
 * others longer; labels come from character length), a seeded 90/10 split of their train comparisons
 * stratified by user, their validation-split comparisons as test, and 31 unseen workers with N-shot
 * training, validation and test parts. Split sizes and worker ids are checked at load time.
 */
export function createTldrDataset(settings: TldrDatasetSettings = {}): DatasetAdapterV1 {
  const resolved = parseOptions(tldrDatasetSettingsSchema, settings, 'Reddit TL;DR dataset settings');
  return {
    specificationVersion: 'v1',
    name: 'reddit-tldr',
    async doLoad(options: DatasetLoadOptionsV1 = {}): Promise<DatasetV1> {
      options.signal?.throwIfAborted();
      const shipped = await readShippedWorkers();
      const comparisons = await readComparisons(resolved, options);
      const { examples, unseenWorkers } = buildTldrExamples(comparisons, resolved, shipped);
      checkCounts(examples, unseenWorkers, resolved);
      return {
        info: {
          name: 'reddit-tldr',
          description:
            'Reddit TL;DR summary comparisons (openai/summarize_from_feedback) relabelled by summary length as in P-DPO: ' +
            `10 seen workers (3 prefer shorter summaries), ${unseenWorkers.length} unseen workers with ${resolved.unseenShots}-shot training ` +
            `and ${resolved.unseenValidationShots} validation pairs each; seed ${resolved.seed}.`,
          citation,
          groups: ['longer', 'shorter'],
        },
        examples,
      };
    },
  };
}
