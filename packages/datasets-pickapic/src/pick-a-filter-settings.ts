import { z } from 'zod';
import { pickapicSourceSettingsShape } from './pickapic-settings.js';

/** Samples per split of the paper's Pick-a-Filter (Table 8): group -> seen / unseen -> split. */
export const pickAFilterTable8 = {
  blue: { seen: { train: 58_831, validation: 628, test: 1_597 }, unseen: { train: 9_527, validation: 79, test: 1_886 } },
  red: { seen: { train: 57_200, validation: 404, test: 2_096 }, unseen: { train: 9_402, validation: 52, test: 1_812 } },
} as const;

/** User counts of appendix D.6: users in both train and test, and those with more than 50 labels. */
export const pickAFilterUserCounts = { inBothSplits: 468, eligible: 234 } as const;

/** Settings of `createPickAFilterDataset`. */
export const pickAFilterDatasetSettingsSchema = z
  .object({
    ...pickapicSourceSettingsShape,
    /** Mixture ratio beta = N_f / N_o: the share of each user's pairs that gets a filter. */
    beta: z
      .number({ error: (issue) => `expected the mixture ratio beta, a number in [0, 1], found ${String(issue.input)}` })
      .min(0, { error: (issue) => `expected a number in [0, 1], found ${String(issue.input)}` })
      .max(1, { error: (issue) => `expected a number in [0, 1], found ${String(issue.input)}` }),
    /** Seeds which pairs get a filter and which of their two images. */
    seed: z.number().int().default(42),
    /** How far a filter pulls pixels toward pure blue / red (0 = no change, 1 = a flat colour). */
    filterStrength: z.number().gt(0).max(1).default(0.3),
    /** How the users sorted by count are dealt into the two groups (see docs: Table 8 suggests interleaved). */
    groupAssignment: z.enum(['interleaved', 'halves']).default('interleaved'),
    usersPerGroup: z.number().int().positive().default(117),
    seenUsersPerGroup: z.number().int().nonnegative().default(50),
    /** A user needs strictly more labelled pairs than this (paper: "more than 50 labels"). */
    minimumLabels: z.number().int().nonnegative().default(50),
    /** Check user counts and Table 8 split sizes; `false` skips it (fixtures, changed upstream). */
    verifyCounts: z.boolean().default(true),
  })
  .strict()
  .refine((settings) => settings.seenUsersPerGroup <= settings.usersPerGroup, {
    error: 'seenUsersPerGroup: expected at most usersPerGroup',
    path: ['seenUsersPerGroup'],
  });

/** Settings of `createPickAFilterDataset` as a caller writes them. */
export type PickAFilterDatasetSettings = z.input<typeof pickAFilterDatasetSettingsSchema>;
/** Settings of `createPickAFilterDataset` with defaults filled in. */
export type ResolvedPickAFilterDatasetSettings = z.output<typeof pickAFilterDatasetSettingsSchema>;
