import { z } from 'zod';

const columnName = z.string().min(1);

/**
 * Which column of the file holds what. Each side (prompt, chosen, rejected, left, right) is either a text
 * column or an embedding column (an array of numbers, or in CSV a JSON array such as `[0.1, -0.2]`).
 * A row is either chosen / rejected, or left / right with a `label` saying which side won.
 */
export const fileColumnsSchema = z
  .object({
    /** The annotator: every comparison belongs to one user. */
    user: columnName,
    /** The prompt or context; without it (and without `promptEmbedding`) the prompt is the empty string. */
    prompt: columnName.optional(),
    chosen: columnName.optional(),
    rejected: columnName.optional(),
    left: columnName.optional(),
    right: columnName.optional(),
    /** Which of left / right won, encoded as `labelFormat` says. */
    label: columnName.optional(),
    promptEmbedding: columnName.optional(),
    chosenEmbedding: columnName.optional(),
    rejectedEmbedding: columnName.optional(),
    leftEmbedding: columnName.optional(),
    rightEmbedding: columnName.optional(),
    /** train | validation | test | unseen-train | unseen-validation | unseen-test. */
    split: columnName.optional(),
    /** A unique id per row; defaults to `<file name>#<row>`. */
    id: columnName.optional(),
    /** Optional ground-truth group of the user, for reports. */
    group: columnName.optional(),
  })
  .strict();

/** How a `label` column encodes the winner. */
export const labelFormatSchema = z.enum(['side', 'index', 'sign']);

/** Settings of {@link createFileDataset}. */
export const fileDatasetSettingsSchema = z
  .object({
    /** The file to read. */
    path: z.string().min(1),
    /** Defaults to the extension: .jsonl / .ndjson, .csv, .parquet. */
    format: z.enum(['jsonl', 'csv', 'parquet']).optional(),
    columns: fileColumnsSchema,
    /**
     * `side`: "left" / "right" (default). `index`: 0 = left preferred, 1 = right preferred (the index of the
     * winner). `sign`: the paper's y, -1 = left preferred, +1 = right preferred.
     */
    labelFormat: labelFormatSchema.default('side'),
    /** Used only when the file has no split column: per-user fractions and the seed of the assignment. */
    splits: z
      .object({
        validationFraction: z.number().min(0).max(1).default(0.1),
        testFraction: z.number().min(0).max(1).default(0.1),
      })
      .strict()
      .optional(),
    /** Seed of the split assignment and of which side the chosen item is shown on. */
    seed: z.number().int().default(0),
    /** CSV field delimiter. */
    delimiter: z.string().length(1).default(','),
    /** Dataset name for reports; defaults to the file name. */
    name: z.string().min(1).optional(),
    description: z.string().min(1).optional(),
    license: z.string().min(1).optional(),
    citation: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((settings, context) => {
    const columns = settings.columns;
    const issue = (path: string, message: string): void => {
      context.addIssue({ code: 'custom', path: ['columns', path], message });
    };
    for (const side of ['prompt', 'chosen', 'rejected', 'left', 'right'] as const) {
      if (columns[side] !== undefined && columns[`${side}Embedding`] !== undefined) {
        issue(side, `give either ${side} or ${side}Embedding, not both`);
      }
    }
    const has = (side: 'chosen' | 'rejected' | 'left' | 'right'): boolean => columns[side] !== undefined || columns[`${side}Embedding`] !== undefined;
    const chosenMode = has('chosen') || has('rejected');
    const sideMode = has('left') || has('right') || columns.label !== undefined;
    if (chosenMode && sideMode) issue('chosen', 'map either chosen / rejected or left / right / label, not both');
    else if (chosenMode) {
      if (!has('chosen')) issue('chosen', 'chosen (or chosenEmbedding) is required with rejected');
      if (!has('rejected')) issue('rejected', 'rejected (or rejectedEmbedding) is required with chosen');
    } else if (sideMode) {
      if (!has('left')) issue('left', 'left (or leftEmbedding) is required with right / label');
      if (!has('right')) issue('right', 'right (or rightEmbedding) is required with left / label');
      if (columns.label === undefined) issue('label', 'label is required with left / right');
    } else {
      issue('chosen', 'map chosen / rejected, or left / right / label');
    }
    if (columns.split !== undefined && settings.splits !== undefined) {
      context.addIssue({ code: 'custom', path: ['splits'], message: 'the file has a split column; splits applies only without one' });
    }
    if (settings.splits !== undefined && settings.splits.validationFraction + settings.splits.testFraction >= 1) {
      context.addIssue({ code: 'custom', path: ['splits', 'testFraction'], message: 'validationFraction + testFraction must be below 1' });
    }
  });

/** What `createFileDataset` accepts. */
export type FileDatasetSettings = z.input<typeof fileDatasetSettingsSchema>;
/** The column mapping of a file dataset. */
export type FileColumns = z.infer<typeof fileColumnsSchema>;
/** How a label column encodes the winner. */
export type LabelFormat = z.infer<typeof labelFormatSchema>;
/** Settings after defaults are applied. */
export type ResolvedFileDatasetSettings = z.output<typeof fileDatasetSettingsSchema>;
