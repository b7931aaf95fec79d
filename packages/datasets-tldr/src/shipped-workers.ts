import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formatZodIssues, InvalidArgumentError } from '@pal/core';
import { z } from 'zod';

const workerId = z.string().min(1);
const seenFileSchema = z.object({ seen_top10_workers_in_value_counts_order: z.array(workerId).length(10) });
const unseenFileSchema = z.array(workerId).min(1);

/** The worker id tables of the PAL experiments, shipped in the package's `data/` folder. */
export interface ShippedWorkers {
  /** The 10 seen workers in value_counts order of the filtered train split. */
  seen: string[];
  /** The 31 unseen workers (validation split, at least 100 comparisons). */
  unseen: string[];
}

async function readJson(name: string): Promise<unknown> {
  const path = fileURLToPath(new URL(`../data/${name}`, import.meta.url));
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`cannot read the worker table ${path}; the package is incomplete`, { source: 'datasets-tldr', cause: error });
  }
}

/** Reads and validates the shipped worker id tables. */
export async function readShippedWorkers(): Promise<ShippedWorkers> {
  const seen = seenFileSchema.safeParse(await readJson('pal_summary_seen_workers.json'));
  const unseen = unseenFileSchema.safeParse(await readJson('pal_summary_unseen_workers.json'));
  if (!seen.success) throw new InvalidArgumentError(`data/pal_summary_seen_workers.json: ${formatZodIssues(seen.error)}`, { source: 'datasets-tldr' });
  if (!unseen.success) throw new InvalidArgumentError(`data/pal_summary_unseen_workers.json: ${formatZodIssues(unseen.error)}`, { source: 'datasets-tldr' });
  return { seen: seen.data.seen_top10_workers_in_value_counts_order, unseen: unseen.data };
}
