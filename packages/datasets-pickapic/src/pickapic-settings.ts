import { z } from 'zod';

/** The three labelled splits of Pick-a-Pic (the `*_unique` splits repeat 500 of their prompts and are not used). */
export const pickapicSplitSchema = z.enum(['train', 'validation', 'test']);
export type PickapicSplit = z.infer<typeof pickapicSplitSchema>;

/** Raw row counts (ties included) of each split, from the dataset cards of the two repositories. */
export const pickapicRowCounts = {
  v1: { train: 583_747, validation: 17_439, test: 14_073 },
  v2: { train: 959_040, validation: 20_596, test: 20_716 },
} as const;

/** Pairs without ties in the two v2 test subsets (PAL paper section 3.2). */
export const pickapicV2SubsetCounts = { leakage: 10_587, 'no-leakage': 7_804 } as const;

/** Settings shared by the Pick-a-Pic and Pick-a-Filter factories: how to reach the Hub and where images go. */
export const pickapicSourceSettingsShape = {
  /** Cache root for the downloaded parquet shards (default `$PAL_CACHE_DIR/hub` or `~/.cache/pal/hub`). */
  cacheDirectory: z.string().min(1).optional(),
  /** The fetch the Hub client uses (a proxy, or a test double serving fixture files). */
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function', { error: 'expected a fetch function' }).optional(),
  hubUrl: z.string().url().optional(),
  accessToken: z.string().min(1).optional(),
  /** Use only cached or manually placed files. */
  offline: z.boolean().optional(),
  /**
   * `bytes` keeps each JPEG in memory (`{ kind: 'image', bytes, id }`), fine for a test split; `files`
   * writes each image once to `imageDirectory` and hands out its path, which the full train splits need
   * (v1 train alone holds about 190 GB of images).
   */
  images: z.enum(['bytes', 'files']).default('bytes'),
  /** Where `images: 'files'` writes images; defaults to `<cache>/images/<repository>`. */
  imageDirectory: z.string().min(1).optional(),
  /** Read only the first N parquet shards of each split, to try the adapter out (turns the count checks off). */
  maxFilesPerSplit: z.number().int().positive().optional(),
};

/** Settings of `createPickapicDataset`. */
export const pickapicDatasetSettingsSchema = z
  .object({
    ...pickapicSourceSettingsShape,
    version: z.enum(['v1', 'v2']).default('v2'),
    /** v2 only: the test pairs that overlap v1 train / validation (`leakage`) or the others (`no-leakage`). */
    subset: z.enum(['leakage', 'no-leakage']).optional(),
    /** Splits to load; defaults to all three, or to `test` when a subset is chosen. */
    splits: z.array(pickapicSplitSchema).min(1).optional(),
    /** Check split sizes against the dataset cards and the paper; `false` skips it (fixtures, changed upstream). */
    verifyCounts: z.boolean().default(true),
  })
  .strict()
  .refine((settings) => settings.subset === undefined || settings.version === 'v2', {
    error: 'subset: the leakage / no-leakage subsets exist for version v2 only',
    path: ['subset'],
  })
  .refine((settings) => settings.subset === undefined || settings.splits === undefined || (settings.splits.length === 1 && settings.splits[0] === 'test'), {
    error: 'splits: a leakage / no-leakage subset is part of the test split; leave splits out or set it to ["test"]',
    path: ['splits'],
  });

/** Settings of `createPickapicDataset` as a caller writes them. */
export type PickapicDatasetSettings = z.input<typeof pickapicDatasetSettingsSchema>;
/** Settings of `createPickapicDataset` with defaults filled in. */
export type ResolvedPickapicDatasetSettings = z.output<typeof pickapicDatasetSettingsSchema>;
