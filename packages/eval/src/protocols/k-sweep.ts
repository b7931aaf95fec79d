import {
  evaluate,
  InvalidArgumentError,
  localize,
  train,
  type ComputeBackendV1,
  type EmbeddedComparisons,
  type EpochRecord,
  type LocalizeOptionsInput,
  type ModelDefinitionInput,
  type PalModel,
  type TrainOptionsInput,
} from '@pal/core';
import { takeShotsPerUser } from './shots.js';

/** Inputs of `kSweep`. */
export interface KSweepInput {
  backend: ComputeBackendV1;
  /** The model to sweep; its `numPrototypes` is replaced by each K. */
  definition: ModelDefinitionInput;
  /** Numbers of prototypes to train; K = 1 (the homogeneous reward model) is added when missing. */
  ks: number[];
  train: EmbeddedComparisons;
  validation?: EmbeddedComparisons;
  /** New pairs of the seen users. */
  test: EmbeddedComparisons;
  /** Unseen users: localised from `shots` comparisons of `pool` each, scored on `test`. */
  unseen?: { pool: EmbeddedComparisons; test: EmbeddedComparisons; shots: number };
  trainOptions?: TrainOptionsInput;
  localizeOptions?: LocalizeOptionsInput;
  onProgress?: (progress: { k: number; done: number; total: number }) => void;
  signal?: AbortSignal;
}

/** One trained K. */
export interface KSweepPoint {
  k: number;
  seenAccuracy: number;
  unseenAccuracy?: number;
  bestEpoch: number;
  trainMs: number;
  history: EpochRecord[];
}

/** Accuracy against K (paper Figures 5b, D.5, D.6). */
export interface KSweepResult {
  points: KSweepPoint[];
  models: Record<number, PalModel>;
}

/** Trains one model per K on the same data and scores seen (and optionally unseen) users with each. */
export async function kSweep(input: KSweepInput): Promise<KSweepResult> {
  if (input.ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new InvalidArgumentError(`K sweep: every K must be a positive integer, found [${input.ks.join(', ')}]`, { source: 'eval' });
  }
  const ks = [...new Set([1, ...input.ks])].sort((a, b) => a - b);
  const unseenShots = input.unseen ? takeShotsPerUser(input.unseen.pool, input.unseen.shots) : undefined;
  const points: KSweepPoint[] = [];
  const models: Record<number, PalModel> = {};
  for (const [index, k] of ks.entries()) {
    const started = Date.now();
    const trained = await train({
      backend: input.backend,
      definition: { ...input.definition, numPrototypes: k } as ModelDefinitionInput,
      train: input.train,
      validation: input.validation,
      options: input.trainOptions,
      signal: input.signal,
    });
    const trainMs = Date.now() - started;
    const seen = await evaluate({ backend: input.backend, model: trained.model, data: input.test });
    const point: KSweepPoint = { k, seenAccuracy: seen.accuracy, bestEpoch: trained.bestEpoch, trainMs, history: trained.history };
    if (input.unseen && unseenShots) {
      const localized = await localize({ backend: input.backend, model: trained.model, data: unseenShots, options: input.localizeOptions, signal: input.signal });
      point.unseenAccuracy = (await evaluate({ backend: input.backend, model: localized.model, data: input.unseen.test })).accuracy;
    }
    points.push(point);
    models[k] = trained.model;
    input.onProgress?.({ k, done: index + 1, total: ks.length });
  }
  return { points, models };
}
