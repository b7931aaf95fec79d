import { Random } from '@pal/core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import seenTable from '../../data/pal_summary_seen_workers.json';
import unseenTable from '../../data/pal_summary_unseen_workers.json';

/** One row in the shape of openai/summarize_from_feedback, config "comparisons". */
export interface ComparisonRow {
  info: { id: string | null; post: string | null; title: string | null; subreddit: string | null; site: string | null; article: string | null };
  summaries: { text: string; policy: string; note: string | null }[] | null;
  choice: number;
  worker: string | null;
  batch: string;
  split: string;
  extra: { confidence: number | null };
}

const text = (name: string) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const });

/**
 * The parquet schema the Hub's conversion writes for this config (Arrow types: info struct of six strings,
 * summaries list<struct<text, policy, note>>, choice int32, worker/batch/split strings, extra
 * struct<confidence int32>), with Arrow's list naming (list / element).
 */
const comparisonsSchema = [
  { name: 'schema', num_children: 7 },
  { name: 'info', repetition_type: 'OPTIONAL' as const, num_children: 6 },
  text('id'),
  text('post'),
  text('title'),
  text('subreddit'),
  text('site'),
  text('article'),
  { name: 'summaries', repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL' as const, num_children: 3 },
  text('text'),
  text('policy'),
  text('note'),
  { name: 'choice', type: 'INT32' as const, repetition_type: 'OPTIONAL' as const },
  text('worker'),
  text('batch'),
  text('split'),
  { name: 'extra', repetition_type: 'OPTIONAL' as const, num_children: 1 },
  { name: 'confidence', type: 'INT32' as const, repetition_type: 'OPTIONAL' as const },
];

/** Writes rows as a parquet file with the upstream schema (small row groups, so reading crosses groups). */
export function writeComparisonsParquet(rows: ComparisonRow[]): Uint8Array {
  const names = ['info', 'summaries', 'choice', 'worker', 'batch', 'split', 'extra'] as const;
  const columnData = names.map((name) => ({ name, data: rows.map((row) => row[name]) }));
  return new Uint8Array(parquetWriteBuffer({ columnData, schema: comparisonsSchema, rowGroupSize: 64 }));
}

export const seenWorkers: string[] = seenTable.seen_top10_workers_in_value_counts_order;
export const unseenWorkers: string[] = unseenTable;

/** A summary of exactly `length` characters. */
function summary(length: number, seed: number): string {
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
  let result = '';
  for (let index = seed; result.length < length; index++) result += `${words[index % words.length]} `;
  return result.slice(0, length);
}

let nextPost = 0;
function row(worker: string | null, split: string, policies: [string, string], lengths: [number, number], post: string | null = ''): ComparisonRow {
  const id = nextPost++;
  return {
    info: {
      id: `t3_${id.toString(36)}`,
      post: post === '' ? `Post ${id}: my roommate keeps borrowing my bike without asking and I do not know what to say.` : post,
      title: `Title ${id}`,
      subreddit: 'relationships',
      site: null,
      article: null,
    },
    summaries: [
      { text: summary(lengths[0], id), policy: policies[0], note: null },
      { text: summary(lengths[1], id + 3), policy: policies[1], note: null },
    ],
    choice: id % 2,
    worker,
    batch: 'batch3',
    split,
    extra: { confidence: (id % 9) + 1 },
  };
}

const sup: [string, string] = ['sup2', 'sup4_6b_t0.7'];

/** Summary lengths cycling through left longer, right longer and equal. */
function lengthsFor(index: number): [number, number] {
  const pattern: [number, number][] = [[40, 25], [20, 35], [30, 30], [50, 45], [15, 60]];
  return pattern[index % pattern.length]!;
}

/** Counts the fixture is built to produce (seen: 255 filtered train comparisons -> 229 / 26, test 50). */
export const fixtureCounts = { train: 229, validation: 26, test: 50, unseenUsers: 31 };
/** Unseen users need this many comparisons in the fixture (the paper's 100 would make it large). */
export const fixtureUnseenMinimum = 4;
/** Filtered validation comparisons of unseen worker `index`. */
export const unseenComparisonsOf = (index: number): number => 4 + (index % 3);

/**
 * The fixture: the ten shipped seen workers with 30, 29, ..., 21 supervised train comparisons (so the
 * value_counts order is the shipped one), five validation comparisons each, the 31 shipped unseen workers
 * with 4-6 validation comparisons each, plus rows every rule must drop: PPO or reference policies, a
 * CNN/DM-like row without a post, and workers below the thresholds.
 */
export function buildFixtureRows(): { train: ComparisonRow[]; validation: ComparisonRow[] } {
  nextPost = 0;
  const train: ComparisonRow[] = [];
  const validation: ComparisonRow[] = [];
  seenWorkers.forEach((worker, rank) => {
    for (let index = 0; index < 30 - rank; index++) train.push(row(worker, 'train', sup, lengthsFor(index + rank)));
    train.push(row(worker, 'train', ['sup2', 'sup4_ppo_rm3_kl10'], [30, 20]));
    train.push(row(worker, 'train', ['ref', 'sup2'], [30, 20]));
    for (let index = 0; index < 5; index++) validation.push(row(worker, 'valid1', sup, lengthsFor(index + 2 * rank)));
  });
  for (let index = 0; index < 3; index++) train.push(row('trainOnlyWorkerXXXXXXXXXXXXXXXX', 'train', sup, lengthsFor(index)));
  validation.push(row(seenWorkers[0]!, 'valid2', sup, [30, 20], null));
  unseenWorkers.forEach((worker, index) => {
    for (let item = 0; item < unseenComparisonsOf(index); item++) validation.push(row(worker, 'valid2', sup, lengthsFor(item + index)));
    validation.push(row(worker, 'valid2', ['ppo_xl', 'sup2'], [10, 20]));
  });
  for (let index = 0; index < 3; index++) validation.push(row('rareValidationWorkerXXXXXXXXXXX', 'valid1', sup, lengthsFor(index)));
  // Interleave so that workers are not contiguous in the files, as in the real data.
  return { train: new Random(5).shuffle(train), validation: new Random(6).shuffle(validation) };
}
