import { z } from 'zod';
import { localizeOptionsSchema, trainOptionsSchema } from '@pal/core';

/** Compute backends the CLI can load by name; `auto` takes the first of onnx, tfjs, reference that loads. */
export const backendNames = ['auto', 'onnx', 'tfjs', 'reference'] as const;
/** Encoders the CLI can build by name. */
export const encoderNames = ['hashing', 'onnx'] as const;
/** Datasets the CLI can load by name. */
export const datasetNames = ['personas', 'synthetic', 'files'] as const;

const positiveInteger = z.number().int().positive();

/** The built-in hashing text encoder (no model files, works offline). */
export const hashingEncoderConfigSchema = z.strictObject({
  kind: z.literal('hashing'),
  dimension: z.number().int().min(2).default(1024),
  ngrams: z.array(z.number().int().min(1).max(8)).min(1).optional(),
  seed: z.number().int().min(0).optional(),
});

/** Model settings; `itemDim` and `promptDim` come from the embedded data. */
export const modelConfigSchema = z.strictObject({
  kind: z.enum(['pal-a', 'pal-b']).default('pal-b'),
  numPrototypes: positiveInteger.default(4),
  latentDim: positiveInteger.default(16),
  /** PAL-A's f. */
  projector: z.string().optional(),
  /** PAL-B's f (items). */
  itemProjector: z.string().optional(),
  /** PAL-B's g_k (prompts). */
  promptProjector: z.string().optional(),
  head: z.enum(['squared-euclidean', 'euclidean']).optional(),
});

/**
 * The `pal` config file (JSON or YAML). Sections a plugin owns (the dataset's settings, the ONNX
 * encoder's) are checked by that plugin's own schema after this one; every error names its field.
 */
export const cliConfigSchema = z.strictObject({
  /** Run name: outputs go to `<runsDirectory>/<name>/`. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"').default('default'),
  runsDirectory: z.string().min(1).default('runs'),
  /** Embedding cache folder (content-addressed; reruns embed nothing twice). */
  cacheDirectory: z.string().min(1).default('.pal-cache'),
  backend: z.enum(backendNames).default('auto'),
  encoder: z
    .discriminatedUnion('kind', [hashingEncoderConfigSchema, z.looseObject({ kind: z.literal('onnx') })])
    .prefault({ kind: 'hashing' }),
  dataset: z
    .discriminatedUnion('kind', [
      z.looseObject({ kind: z.literal('personas') }),
      z.looseObject({ kind: z.literal('synthetic') }),
      z.looseObject({ kind: z.literal('files') }),
    ])
    .prefault({ kind: 'personas' }),
  model: modelConfigSchema.prefault({}),
  /** Options of core's `train()` (epochs, batchSize, optimizer groups, loss, early stopping). */
  train: trainOptionsSchema.strict().prefault({}),
  /** Options of core's `localize()` for unseen users. */
  localize: localizeOptionsSchema.strict().prefault({}),
  evaluation: z
    .strictObject({
      /** N values of the few-shot curve. */
      shots: z.array(positiveInteger).min(1).default([1, 2, 5, 10, 20, 50]),
      /** N of the headline unseen-user accuracy. */
      unseenShots: positiveInteger.default(20),
      /** Train and score the K = 1 homogeneous reward model beside PAL. */
      baseline: z.boolean().default(true),
    })
    .prefault({}),
});
/** A validated config with defaults filled. */
export type CliConfig = z.output<typeof cliConfigSchema>;
/** A config as written in a file. */
export type CliConfigInput = z.input<typeof cliConfigSchema>;
