import type { LossSettings } from './loss-settings.js';

/** Value and derivative of a pairwise loss at margin m = y * (r_left - r_right). */
export interface LossPoint {
  value: number;
  derivative: number;
}

/** Logistic loss softplus(-m), i.e. 2-way cross-entropy on the two rewards (Bradley-Terry). */
export function logisticLoss(margin: number): LossPoint {
  // Stable softplus: log(1 + e^-m) = max(-m, 0) + log(1 + e^-|m|).
  const value = Math.max(-margin, 0) + Math.log1p(Math.exp(-Math.abs(margin)));
  const derivative = -1 / (1 + Math.exp(margin));
  return { value, derivative };
}

/** Hinge loss max(0, margin0 - m). */
export function hingeLoss(margin: number, hingeMargin = 1): LossPoint {
  return margin < hingeMargin ? { value: hingeMargin - margin, derivative: -1 } : { value: 0, derivative: 0 };
}

/** Quadratically smoothed hinge: 0.5 - m below 0, 0.5 (1 - m)^2 on [0, 1], 0 above 1. */
export function smoothedHingeLoss(margin: number): LossPoint {
  if (margin >= 1) return { value: 0, derivative: 0 };
  if (margin <= 0) return { value: 0.5 - margin, derivative: -1 };
  return { value: 0.5 * (1 - margin) * (1 - margin), derivative: -(1 - margin) };
}

/** The pairwise loss selected by `settings`, evaluated at margin m. */
export function pairwiseLoss(settings: LossSettings, margin: number): LossPoint {
  switch (settings.kind) {
    case 'logistic':
      return logisticLoss(margin);
    case 'hinge':
      return hingeLoss(margin, settings.margin);
    case 'smoothed-hinge':
      return smoothedHingeLoss(margin);
  }
}

/**
 * Per-comparison weights for a dataset: ones, or 1 / (count of the comparison's user) for `per-user`
 * weighting. Core passes them with every batch so backends need not know about weighting.
 */
export function comparisonWeights(users: Int32Array, weighting: LossSettings['weighting']): Float32Array {
  const weights = new Float32Array(users.length).fill(1);
  if (weighting === 'none') return weights;
  const counts = new Map<number, number>();
  for (const user of users) counts.set(user, (counts.get(user) ?? 0) + 1);
  for (let row = 0; row < users.length; row++) weights[row] = 1 / counts.get(users[row]!)!;
  return weights;
}
