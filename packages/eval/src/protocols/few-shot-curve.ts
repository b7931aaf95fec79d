import {
  evaluate,
  InvalidArgumentError,
  localize,
  type ComputeBackendV1,
  type EmbeddedComparisons,
  type LocalizeOptionsInput,
  type PalModel,
} from '@pal/core';
import { takeShotsPerUser } from './shots.js';

/** Inputs of `fewShotCurve`. */
export interface FewShotCurveInput {
  backend: ComputeBackendV1;
  model: PalModel;
  /** The K = 1 model; it has no mixture to learn, so its curve is flat (the paper's reference line). */
  baseline?: PalModel;
  /** Comparisons of unseen users that the N shots are drawn from. */
  pool: EmbeddedComparisons;
  /** Other comparisons of the same users, scored after localisation. */
  test: EmbeddedComparisons;
  /** The N values of the curve, e.g. [1, 2, 5, 10, 20, 50]. */
  shots: number[];
  localizeOptions?: LocalizeOptionsInput;
  /** Seed of the per-user shot order; shot sets are nested across N. */
  seed?: number;
  onProgress?: (progress: { shots: number; done: number; total: number }) => void;
  signal?: AbortSignal;
}

/** One point of a few-shot curve. */
export interface FewShotPoint {
  shots: number;
  accuracy: number;
  baselineAccuracy?: number;
  /** Comparisons actually used for localisation (users with fewer than N give all they have). */
  comparisonsUsed: number;
  users: number;
  testCount: number;
}

/** A few-shot localisation curve (paper Figure 3 / D.5c / D.6d). */
export interface FewShotCurveResult {
  points: FewShotPoint[];
  /** For each N, the model with the unseen users localised from N comparisons each. */
  localizedModels: Record<number, PalModel>;
}

/**
 * Unseen-user accuracy against the number of comparisons N a new user gives: for each N, only the new
 * users' mixture weights are learned from N comparisons each (everything shared frozen), then they are
 * scored on their other comparisons.
 */
export async function fewShotCurve(input: FewShotCurveInput): Promise<FewShotCurveResult> {
  const shots = [...new Set(input.shots)].sort((a, b) => a - b);
  if (shots.length === 0 || shots.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new InvalidArgumentError(`few-shot curve: shots must be positive integers, found [${input.shots.join(', ')}]`, { source: 'eval' });
  }
  const points: FewShotPoint[] = [];
  const localizedModels: Record<number, PalModel> = {};
  for (const [index, count] of shots.entries()) {
    input.signal?.throwIfAborted();
    const data = takeShotsPerUser(input.pool, count, input.seed ?? 0);
    const localized = await localize({ backend: input.backend, model: input.model, data, options: input.localizeOptions, signal: input.signal });
    const pal = await evaluate({ backend: input.backend, model: localized.model, data: input.test });
    const point: FewShotPoint = { shots: count, accuracy: pal.accuracy, comparisonsUsed: data.label.length, users: localized.userIds.length, testCount: pal.count };
    if (input.baseline) {
      const baselineLocalized = await localize({ backend: input.backend, model: input.baseline, data, options: input.localizeOptions, signal: input.signal });
      point.baselineAccuracy = (await evaluate({ backend: input.backend, model: baselineLocalized.model, data: input.test })).accuracy;
    }
    points.push(point);
    localizedModels[count] = localized.model;
    input.onProgress?.({ shots: count, done: index + 1, total: shots.length });
  }
  return { points, localizedModels };
}
