import { z } from 'zod';
import { personaNames } from './persona-names.js';

const fraction = z.number().min(0).max(1);

/**
 * Settings of the Personas dataset (paper appendix D.4). Defaults are small enough to embed and train in a
 * minute or two; the paper used N = 10,000 users per group and n_p = 1,000 queries per seen user.
 */
export const personasDatasetSettingsSchema = z
  .object({
    /** K*, the true number of groups; the personas are the first K* of Table 7 unless `personas` is given. */
    numGroups: z.number().int().min(2).max(6).optional(),
    /** Overrides Table 7's choice of personas, one group each. */
    personas: z.array(z.enum(personaNames)).min(1).max(6).optional(),
    /** Seen users per group (the paper's N). */
    usersPerGroup: z.number().int().min(1).default(25),
    /** Unseen users per group, held out of training for few-shot localisation. */
    unseenUsersPerGroup: z.number().int().min(0).default(10),
    /** n_p: queries per seen user, split into train / validation / test. */
    queriesPerUser: z.number().int().min(1).default(120),
    /** n_p,unseen: queries per unseen user, split into unseen-train / unseen-validation / unseen-test. */
    queriesPerUnseenUser: z.number().int().min(0).default(200),
    /** Fraction of each seen user's queries in `validation`. */
    validationFraction: fraction.default(0.1),
    /** Fraction of each seen user's queries in `test`. */
    testFraction: fraction.default(0.1),
    /** Fraction of each unseen user's queries in `unseen-validation` (for choosing the few-shot checkpoint). */
    unseenValidationFraction: fraction.default(0),
    /** Fraction of each unseen user's queries in `unseen-test`; the rest is `unseen-train`, the few-shot pool. */
    unseenTestFraction: fraction.default(0.5),
    /** Seed of every random choice (statements per user, yes/no sides, splits). */
    seed: z.number().int().default(0),
    /** Folder holding `interest-in-*.jsonl`; defaults to the copy shipped in this package. */
    dataDirectory: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((settings, context) => {
    if (settings.validationFraction + settings.testFraction >= 1) {
      context.addIssue({ code: 'custom', path: ['testFraction'], message: 'validationFraction + testFraction must be below 1' });
    }
    if (settings.unseenValidationFraction + settings.unseenTestFraction > 1) {
      context.addIssue({ code: 'custom', path: ['unseenTestFraction'], message: 'unseenValidationFraction + unseenTestFraction must be at most 1' });
    }
    if (settings.personas !== undefined) {
      if (new Set(settings.personas).size !== settings.personas.length) {
        context.addIssue({ code: 'custom', path: ['personas'], message: 'each persona may appear once' });
      }
      if (settings.numGroups !== undefined && settings.numGroups !== settings.personas.length) {
        context.addIssue({
          code: 'custom',
          path: ['numGroups'],
          message: `numGroups is ${settings.numGroups} but ${settings.personas.length} personas were given`,
        });
      }
    }
  });

/** What `createPersonasDataset` accepts. */
export type PersonasDatasetSettings = z.input<typeof personasDatasetSettingsSchema>;
/** Settings after defaults are applied. */
export type ResolvedPersonasDatasetSettings = z.output<typeof personasDatasetSettingsSchema>;
