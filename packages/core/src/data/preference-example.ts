import { z } from 'zod';

/** Which split of a dataset a row belongs to; `unseen-*` rows come from users held out of training. */
export const datasetSplitSchema = z.enum(['train', 'validation', 'test', 'unseen-train', 'unseen-validation', 'unseen-test']);
export type DatasetSplit = z.infer<typeof datasetSplitSchema>;

/** Text, or a reference to an image, that an encoder turns into an embedding. */
export const encodableInputSchema = z.union([
  z.string(),
  z.object({ kind: z.literal('image'), path: z.string().optional(), bytes: z.instanceof(Uint8Array).optional(), id: z.string() }),
  z.object({ kind: z.literal('embedding'), values: z.array(z.number()), id: z.string() }),
]);
export type EncodableInput = z.infer<typeof encodableInputSchema>;

/**
 * One pairwise preference as dataset adapters produce it, before encoding. `preferred` names the
 * winning side instead of the paper's sign convention (y = -1 when the left item wins).
 */
export const preferenceExampleSchema = z.object({
  /** Stable id of the comparison, unique in its dataset. */
  id: z.string().min(1),
  userId: z.string().min(1),
  prompt: encodableInputSchema,
  left: encodableInputSchema,
  right: encodableInputSchema,
  preferred: z.enum(['left', 'right']),
  split: datasetSplitSchema,
  /** Optional ground truth for reports, e.g. the persona or worker group a synthetic user belongs to. */
  group: z.string().optional(),
});
export type PreferenceExample = z.infer<typeof preferenceExampleSchema>;
