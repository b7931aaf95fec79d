import { formatZodIssues, InvalidPreferenceDataError } from '@pal/core';
import { z } from 'zod';

const source = 'datasets-tldr';

/** Columns of the "comparisons" parquet files the adapter reads (the others: choice, batch, split, extra). */
export const tldrColumns = ['info', 'summaries', 'worker'] as const;

function found(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return 'binary data';
  return typeof value === 'string' ? `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"` : `${typeof value} ${String(value)}`;
}

const optionalText = z.string({ error: (issue) => `expected a string or null, found ${found(issue.input)}` }).nullish();
const requiredText = z.string({ error: (issue) => `expected a string, found ${found(issue.input)}` });

const summarySchema = z.object(
  { text: requiredText, policy: requiredText, note: optionalText },
  { error: (issue) => `expected a {text, policy, note} struct, found ${found(issue.input)}` },
);

/**
 * One row of openai/summarize_from_feedback, config "comparisons": `info` is a struct (id, post, title,
 * subreddit, site, article), `summaries` a list of two {text, policy, note} structs, `worker` a string.
 */
const comparisonRowSchema = z.object({
  info: z.object(
    { id: optionalText, post: optionalText, title: optionalText, subreddit: optionalText },
    { error: (issue) => `expected an {id, post, title, subreddit, site, article} struct, found ${found(issue.input)}` },
  ),
  summaries: z
    .array(summarySchema, { error: (issue) => `expected a list of 2 summaries, found ${found(issue.input)}` })
    .refine((summaries) => summaries.length === 2, { error: (issue) => `expected 2 summaries, found ${(issue.input as unknown[]).length}` }),
  worker: requiredText.min(1, { error: 'expected a worker id, found an empty string' }),
});

/** A validated comparison with where it came from. */
export interface TldrComparison {
  /** Upstream split the row was read from. */
  upstreamSplit: 'train' | 'validation';
  /** Repository path of the parquet file, for error messages. */
  file: string;
  /** Zero-based row in that file. */
  rowNumber: number;
  /** Zero-based row across all files of the split, for stable example ids. */
  splitRowNumber: number;
  worker: string;
  title: string | null;
  post: string | null;
  subreddit: string | null;
  texts: [string, string];
  policies: [string, string];
}

/** Validates one parquet row, throwing an InvalidPreferenceDataError that names the file, row and field. */
export function parseTldrRow(
  values: Record<string, unknown>,
  where: { upstreamSplit: 'train' | 'validation'; file: string; rowNumber: number; splitRowNumber: number },
): TldrComparison {
  const result = comparisonRowSchema.safeParse(values);
  if (!result.success) {
    throw new InvalidPreferenceDataError(`file ${where.file} row ${where.rowNumber}: ${formatZodIssues(result.error)}`, {
      source,
      cause: result.error,
    });
  }
  const { info, summaries, worker } = result.data;
  return {
    ...where,
    worker,
    title: info.title ?? null,
    post: info.post ?? null,
    subreddit: info.subreddit ?? null,
    texts: [summaries[0]!.text, summaries[1]!.text],
    policies: [summaries[0]!.policy, summaries[1]!.policy],
  };
}
