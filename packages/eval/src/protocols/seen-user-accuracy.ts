import { evaluate, type ComputeBackendV1, type EmbeddedComparisons, type PalModel, type UserAccuracy } from '@pal/core';

/** Inputs of `seenUserAccuracy`. */
export interface SeenUserAccuracyInput {
  backend: ComputeBackendV1;
  /** The PAL model, trained on the users of `test`. */
  model: PalModel;
  /** The homogeneous K = 1 reward model trained on the same data, scored beside PAL. */
  baseline?: PalModel;
  /** Held-out comparisons (new pairs) of users the models were trained on. */
  test: EmbeddedComparisons;
}

/** Accuracy on new pairs of seen users, for PAL and the K = 1 baseline. */
export interface SeenUserAccuracyResult {
  accuracy: number;
  loss: number;
  count: number;
  baselineAccuracy?: number;
  perUser: Record<string, UserAccuracy>;
  baselinePerUser?: Record<string, UserAccuracy>;
  /** Mixture weights of each evaluated user under the PAL model. */
  mixtures: Record<string, number[]>;
}

/** Seen-user accuracy (the paper's main metric): how often the labelled winner of a held-out pair scores higher. */
export async function seenUserAccuracy(input: SeenUserAccuracyInput): Promise<SeenUserAccuracyResult> {
  const pal = await evaluate({ backend: input.backend, model: input.model, data: input.test });
  const result: SeenUserAccuracyResult = { accuracy: pal.accuracy, loss: pal.loss, count: pal.count, perUser: pal.perUser, mixtures: pal.mixtures };
  if (input.baseline) {
    const baseline = await evaluate({ backend: input.backend, model: input.baseline, data: input.test });
    result.baselineAccuracy = baseline.accuracy;
    result.baselinePerUser = baseline.perUser;
  }
  return result;
}
