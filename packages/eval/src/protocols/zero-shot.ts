import { addZeroShotUsers, evaluate, usersPresent, type ComputeBackendV1, type EmbeddedComparisons, type PalModel } from '@pal/core';

/** Inputs of `zeroShot`. */
export interface ZeroShotInput {
  backend: ComputeBackendV1;
  model: PalModel;
  baseline?: PalModel;
  /** Comparisons of users who gave no training data. */
  test: EmbeddedComparisons;
}

/** Accuracy on new users placed at the population-average mixture, with the baseline beside. */
export interface ZeroShotResult {
  accuracy: number;
  baselineAccuracy?: number;
  users: number;
  count: number;
}

/** Zero-shot users (paper section 2.2): a new user with no comparisons gets the population-average mixture. */
export async function zeroShot(input: ZeroShotInput): Promise<ZeroShotResult> {
  const place = (model: PalModel) => {
    const known = new Set(model.userIds);
    return addZeroShotUsers(model, usersPresent(input.test).filter((id) => !known.has(id)));
  };
  const pal = await evaluate({ backend: input.backend, model: place(input.model), data: input.test });
  const result: ZeroShotResult = { accuracy: pal.accuracy, users: Object.keys(pal.perUser).length, count: pal.count };
  if (input.baseline) result.baselineAccuracy = (await evaluate({ backend: input.backend, model: place(input.baseline), data: input.test })).accuracy;
  return result;
}
