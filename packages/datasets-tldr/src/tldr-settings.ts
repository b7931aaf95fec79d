import { z } from 'zod';

/** The few-shot sizes of the paper's unseen-user experiments (appendix D.3.1, Figure D.3, Table 5). */
export const tldrUnseenShotChoices = [1, 2, 5, 10, 20, 50, 100] as const;

/** Split sizes the paper reports for the seen users (appendix D.3). */
export const paperTldrCounts = { train: 20_969, validation: 2_330, test: 4_921 } as const;

/** The Reddit post a comparison is about, as the adapter hands it to `formatPrompt`. */
export interface TldrPost {
  title: string | null;
  post: string;
  subreddit: string | null;
}

/** Title, a blank line, then the post text. */
export function defaultTldrPrompt(post: TldrPost): string {
  return post.title ? `${post.title}\n\n${post.post}` : post.post;
}

const countsSchema = z
  .object({
    train: z.number().int().nonnegative(),
    validation: z.number().int().nonnegative(),
    test: z.number().int().nonnegative(),
    /** Expected number of unseen users; checked when given. */
    unseenUsers: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Settings of `createTldrDataset`; every field is optional. */
export const tldrDatasetSettingsSchema = z
  .object({
    /** Cache root for the downloaded parquet files (default `$PAL_CACHE_DIR/hub` or `~/.cache/pal/hub`). */
    cacheDirectory: z.string().min(1).optional(),
    /** The fetch the Hub client uses (a proxy, or a test double serving fixture files). */
    fetch: z.custom<typeof fetch>((value) => typeof value === 'function', { error: 'expected a fetch function' }).optional(),
    hubUrl: z.string().url().optional(),
    accessToken: z.string().min(1).optional(),
    /** Use only cached or manually placed files. */
    offline: z.boolean().optional(),
    /** Hub repository holding the "comparisons" parquet files. */
    repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, { error: 'expected "owner/name"' }).default('openai/summarize_from_feedback'),
    /** Branch with the Hub's parquet conversion of the dataset (the main branch holds only a loading script). */
    revision: z.string().min(1).default('refs/convert/parquet'),
    /** Seeds the 90/10 train/validation split, the unseen users' groups and their few-shot samples. */
    seed: z.number().int().default(42),
    /** N: training comparisons per unseen user. */
    unseenShots: z
      .number()
      .int()
      .refine((value) => (tldrUnseenShotChoices as readonly number[]).includes(value), {
        error: (issue) => `expected one of ${tldrUnseenShotChoices.join(', ')}, found ${String(issue.input)}`,
      })
      .default(10),
    /** Comparisons per unseen user held out for model selection (the paper selected on test; we do not). */
    unseenValidationShots: z.number().int().nonnegative().default(10),
    /** An unseen-user candidate needs at least this many filtered validation comparisons (paper: 100). */
    unseenMinimumComparisons: z.number().int().positive().default(100),
    /** Share of unseen users relabelled to prefer longer summaries (paper: 70 %). */
    unseenLongerFraction: z.number().min(0).max(1).default(0.7),
    /** Split sizes checked at load time; `false` skips the check (for fixtures or a changed upstream). */
    expectedCounts: z.union([z.literal(false), countsSchema]).default({ ...paperTldrCounts, unseenUsers: 31 }),
    /** Check the seen and unseen workers against the id tables shipped with the package. */
    verifyWorkers: z.boolean().default(true),
    /** Builds the prompt text from the post; defaults to title, blank line, post. */
    formatPrompt: z.custom<(post: TldrPost) => string>((value) => typeof value === 'function', { error: 'expected a function' }).optional(),
  })
  .strict();

/** Settings of `createTldrDataset` as a caller writes them. */
export type TldrDatasetSettings = z.input<typeof tldrDatasetSettingsSchema>;
/** Settings of `createTldrDataset` with defaults filled in. */
export type ResolvedTldrDatasetSettings = z.output<typeof tldrDatasetSettingsSchema>;
