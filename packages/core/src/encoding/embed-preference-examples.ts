import { inputKey } from '../data/comparison-key.js';
import { z } from 'zod';
import { createMatrix, gatherRows, type Matrix } from '../data/matrix.js';
import { selectComparisons, validateEmbeddedComparisons, type EmbeddedComparisons, PREFERRED_LEFT, PREFERRED_RIGHT } from '../data/embedded-comparisons.js';
import { datasetSplitSchema, preferenceExampleSchema, type DatasetSplit, type EncodableInput, type PreferenceExample } from '../data/preference-example.js';
import { InvalidArgumentError, InvalidPreferenceDataError } from '../errors/errors.js';
import { formatZodIssues } from '../errors/format-zod-error.js';
import type { EncoderV1 } from '../spec/encoder/v1/encoder-v1.js';
import { parseOptions } from '../util/parse-options.js';
import { createEmbeddingCache } from './embedding-cache.js';
import { embedWithCache, embedWithCacheOptionsSchema, type EmbeddingProgress } from './embed-with-cache.js';

/** Separator between prompt and item in joint (PAL-A style) encoding. */
export const JOINT_SEPARATOR = '\n\n';

/** Progress of `embedPreferenceExamples`: which inputs are being embedded, and how far. */
export interface PreferenceEmbeddingProgress extends EmbeddingProgress {
  stage: 'prompts' | 'items' | 'prompts and items';
}

const encoderSchema = z.custom<EncoderV1>(
  (value) => typeof value === 'object' && value !== null && (value as EncoderV1).specificationVersion === 'v1' && typeof (value as EncoderV1).doEncode === 'function',
  'expected an EncoderV1',
);

export const embedPreferenceExamplesOptionsSchema = z
  .object({
    /** Encodes items (responses, images); also prompts unless `promptEncoder` is given. */
    encoder: encoderSchema,
    promptEncoder: encoderSchema.optional(),
    /**
     * PAL-A style: embed `prompt + "\n\n" + item` as the item and use no prompt embedding (promptDim 0),
     * as the paper's PAL-A experiments encode the prompt and the response together.
     */
    joint: z.boolean().default(false),
    /** Folder of the on-disk embedding cache; without it nothing is cached between runs. */
    cacheDirectory: z.string().min(1).optional(),
    batchSize: embedWithCacheOptionsSchema.shape.batchSize,
    onProgress: z.custom<(progress: PreferenceEmbeddingProgress) => void>((value) => typeof value === 'function', 'expected a function').optional(),
    onWarning: embedWithCacheOptionsSchema.shape.onWarning,
    signal: embedWithCacheOptionsSchema.shape.signal,
  })
  .strict();
/** Options of `embedPreferenceExamples`. */
export type EmbedPreferenceExamplesOptions = z.input<typeof embedPreferenceExamplesOptionsSchema>;

/** Preference examples after encoding: one indexed comparison set per split, all sharing `userIds`. */
export interface EmbeddedPreferenceData {
  splits: Partial<Record<DatasetSplit, EmbeddedComparisons>>;
  /** Every user of every split, in order of first appearance; `user` indices of all splits point here. */
  userIds: string[];
  /** Ground-truth group of each user that has one (persona, worker group). */
  groups: Record<string, string>;
}

/** Assigns dense indices to distinct inputs, keeping the first input seen for each identity. */
class InputInterner {
  readonly inputs: EncodableInput[] = [];
  private readonly indexByIdentity = new Map<string, number>();

  intern(input: EncodableInput): number {
    const identity = inputKey(input);
    let index = this.indexByIdentity.get(identity);
    if (index === undefined) {
      index = this.inputs.length;
      this.indexByIdentity.set(identity, index);
      this.inputs.push(input);
    }
    return index;
  }
}

/**
 * Turns preference examples into embedded comparisons, one set per split: each distinct prompt and item
 * is embedded once (and read from the cache on a rerun), labels become 1 when the left item is preferred.
 */
export async function embedPreferenceExamples(examples: PreferenceExample[], options: EmbedPreferenceExamplesOptions): Promise<EmbeddedPreferenceData> {
  const settings = parseOptions(embedPreferenceExamplesOptionsSchema, options, 'embedPreferenceExamples options');
  const parsed = z.array(preferenceExampleSchema).safeParse(examples);
  if (!parsed.success) {
    throw new InvalidPreferenceDataError(`invalid preference examples: ${formatZodIssues(parsed.error)}`, { source: 'encoding', cause: parsed.error });
  }
  const rows = parsed.data;
  const { encoder, joint } = settings;
  const promptEncoder = settings.promptEncoder ?? encoder;

  const userIndex = new Map<string, number>();
  const groups: Record<string, string> = {};
  const prompts = new InputInterner();
  const items = new InputInterner();
  const count = rows.length;
  const promptIndex = new Int32Array(count);
  const leftIndex = new Int32Array(count);
  const rightIndex = new Int32Array(count);
  const user = new Int32Array(count);
  const label = new Int8Array(count);
  const rowsBySplit = new Map<DatasetSplit, number[]>();

  rows.forEach((example, row) => {
    let index = userIndex.get(example.userId);
    if (index === undefined) {
      index = userIndex.size;
      userIndex.set(example.userId, index);
    }
    user[row] = index;
    if (example.group !== undefined) {
      const known = groups[example.userId];
      if (known !== undefined && known !== example.group) {
        throw new InvalidPreferenceDataError(
          `example '${example.id}' (row ${row}): user '${example.userId}' is in group '${known}' in an earlier row, found group '${example.group}'`,
          { source: 'encoding' },
        );
      }
      groups[example.userId] = example.group;
    }
    if (joint) {
      promptIndex[row] = 0;
      leftIndex[row] = items.intern(jointText(example, 'left', row));
      rightIndex[row] = items.intern(jointText(example, 'right', row));
    } else {
      promptIndex[row] = prompts.intern(example.prompt);
      leftIndex[row] = items.intern(example.left);
      rightIndex[row] = items.intern(example.right);
    }
    label[row] = example.preferred === 'left' ? PREFERRED_LEFT : PREFERRED_RIGHT;
    const splitRows = rowsBySplit.get(example.split);
    if (splitRows) splitRows.push(row);
    else rowsBySplit.set(example.split, [row]);
  });

  const cache = settings.cacheDirectory !== undefined ? createEmbeddingCache(settings.cacheDirectory) : undefined;
  const embed = (target: EncoderV1, inputs: EncodableInput[], stage: PreferenceEmbeddingProgress['stage']) =>
    embedWithCache(target, inputs, {
      ...(cache ? { cache } : {}),
      batchSize: settings.batchSize,
      ...(settings.onProgress ? { onProgress: (progress: EmbeddingProgress) => settings.onProgress!({ ...progress, stage }) } : {}),
      ...(settings.onWarning ? { onWarning: settings.onWarning } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
    });

  let promptMatrix: Matrix;
  let itemMatrix: Matrix;
  if (joint) {
    promptMatrix = createMatrix(1, 0);
    itemMatrix = await embed(encoder, items.inputs, 'items');
  } else if (promptEncoder === encoder) {
    // One encoder for both: embed the union once, so a text used as prompt and as item is encoded once.
    const union = new InputInterner();
    const promptRows = prompts.inputs.map((input) => union.intern(input));
    const itemRows = items.inputs.map((input) => union.intern(input));
    const all = await embed(encoder, union.inputs, 'prompts and items');
    promptMatrix = gatherRows(all, promptRows);
    itemMatrix = gatherRows(all, itemRows);
  } else {
    promptMatrix = await embed(promptEncoder, prompts.inputs, 'prompts');
    itemMatrix = await embed(encoder, items.inputs, 'items');
  }

  const userIds = [...userIndex.keys()];
  const all: EmbeddedComparisons = { prompts: promptMatrix, items: itemMatrix, promptIndex, leftIndex, rightIndex, user, label, userIds };
  const splits: Partial<Record<DatasetSplit, EmbeddedComparisons>> = {};
  for (const split of datasetSplitSchema.options) {
    const splitRows = rowsBySplit.get(split);
    if (!splitRows) continue;
    const validated = validateEmbeddedComparisons(selectComparisons(all, splitRows), `embedded '${split}' comparisons`);
    // Validation copies arrays; every split must share the one user list.
    splits[split] = { ...validated, userIds };
  }
  return { splits, userIds, groups };
}

function jointText(example: PreferenceExample, side: 'left' | 'right', row: number): string {
  const item = example[side];
  if (typeof example.prompt !== 'string' || typeof item !== 'string') {
    const found = typeof example.prompt !== 'string' ? `prompt of kind '${example.prompt.kind}'` : `${side} item of kind '${(item as { kind: string }).kind}'`;
    throw new InvalidArgumentError(`example '${example.id}' (row ${row}): joint encoding needs a text prompt and text items, found a ${found}`, {
      source: 'encoding',
    });
  }
  return `${example.prompt}${JOINT_SEPARATOR}${item}`;
}
