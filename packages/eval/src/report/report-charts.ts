import { InvalidArgumentError, mixtureOfRow, PROTOTYPES, type EpochRecord, type PalModel } from '@pal/core';
import type { FewShotCurveResult } from '../protocols/few-shot-curve.js';
import type { KSweepResult } from '../protocols/k-sweep.js';
import type { GroupAccuracy } from '../protocols/per-group-accuracy.js';
import type { LineChart, LineSeries, MixtureChart, ReportTable, ScatterChart } from './report-data.js';

/** A y range for accuracies: from the tenth below the lowest value up to 100%. */
export function accuracyDomain(values: number[]): [number, number] {
  const lowest = Math.min(...values.filter(Number.isFinite));
  return [Number.isFinite(lowest) ? Math.max(0, Math.floor(lowest * 10 - 1e-9) / 10) : 0, 1];
}

/** A line chart of accuracies (percent ticks, y from the tenth below the lowest value to 100%). */
export function accuracyChart(series: LineSeries[], options: { id: string; title: string; caption?: string; xLabel: string; xScale?: 'linear' | 'log' }): LineChart {
  return {
    kind: 'line-chart',
    id: options.id,
    title: options.title,
    caption: options.caption,
    xLabel: options.xLabel,
    yLabel: 'accuracy',
    xScale: options.xScale ?? 'linear',
    percent: true,
    yDomain: accuracyDomain(series.flatMap((entry) => entry.points.map((point) => point.y))),
    series,
  };
}

/** Few-shot accuracy against N for PAL and the K = 1 baseline, with seen-user accuracy as a reference (paper Figure 3). */
export function fewShotChart(result: FewShotCurveResult, options: { numPrototypes: number; seenAccuracy?: number; id?: string; title?: string; caption?: string }): LineChart {
  const xs = result.points.map((point) => point.shots);
  const series: LineSeries[] = [{ name: `PAL, K = ${options.numPrototypes}`, points: result.points.map((point) => ({ x: point.shots, y: point.accuracy })) }];
  const baseline = result.points.filter((point) => point.baselineAccuracy !== undefined);
  if (baseline.length > 0) series.push({ name: 'K = 1 baseline', dashed: true, points: baseline.map((point) => ({ x: point.shots, y: point.baselineAccuracy! })) });
  if (options.seenAccuracy !== undefined) {
    series.push({ name: 'seen users (PAL)', dashed: true, points: [{ x: Math.min(...xs), y: options.seenAccuracy }, { x: Math.max(...xs), y: options.seenAccuracy }] });
  }
  return accuracyChart(series, {
    id: options.id ?? 'few-shot',
    title: options.title ?? 'Unseen users: accuracy against comparisons per new user (N)',
    caption: options.caption,
    xLabel: 'comparisons per unseen user (N)',
    xScale: xs.length > 1 && Math.min(...xs) > 0 ? 'log' : 'linear',
  });
}

/** Seen (and unseen) accuracy against the number of prototypes K (paper Figures 5b, D.5, D.6). */
export function kSweepChart(result: KSweepResult, options: { unseenShots?: number; id?: string; title?: string; caption?: string } = {}): LineChart {
  const series: LineSeries[] = [{ name: 'seen users', points: result.points.map((point) => ({ x: point.k, y: point.seenAccuracy })) }];
  const unseen = result.points.filter((point) => point.unseenAccuracy !== undefined);
  if (unseen.length > 0) {
    series.push({ name: `unseen users${options.unseenShots ? ` (${options.unseenShots}-shot)` : ''}`, points: unseen.map((point) => ({ x: point.k, y: point.unseenAccuracy! })) });
  }
  return accuracyChart(series, { id: options.id ?? 'k-sweep', title: options.title ?? 'Accuracy against the number of prototypes K', caption: options.caption, xLabel: 'prototypes K' });
}

/** Users' mixture weights coloured by their true group (paper Figures 5a, D.1); users without a group are "(none)". */
export function mixtureChart(model: PalModel, groups: Record<string, string>, options: { userIds?: string[]; id?: string; title?: string; caption?: string } = {}): MixtureChart {
  const wanted = options.userIds ? new Set(options.userIds) : undefined;
  const users = model.userIds
    .map((userId, index) => ({ userId, index }))
    .filter(({ userId }) => wanted === undefined || wanted.has(userId))
    .map(({ userId, index }) => ({ userId, group: groups[userId] ?? '(none)', weights: mixtureOfRow(model, index) }));
  return {
    kind: 'mixture-chart',
    id: options.id ?? 'mixtures',
    title: options.title ?? `Users' mixture weights over the ${model.definition.numPrototypes} prototypes, coloured by true group`,
    caption: options.caption,
    users,
  };
}

/** A PAL-A model's prototypes p_k and users' ideal points a_i = sum_k w_ik p_k, in the model's input space. */
export function learnedIdealPoints(model: PalModel): { prototypes: number[][]; idealPoints: number[][] } {
  if (model.definition.kind !== 'pal-a') throw new InvalidArgumentError(`ideal points: expected a pal-a model, found ${model.definition.kind}`, { source: 'eval' });
  const tensor = model.weights[PROTOTYPES]!;
  const width = tensor.shape[1]!;
  const prototypes = Array.from({ length: tensor.shape[0]! }, (_, k) => Array.from(tensor.data.subarray(k * width, (k + 1) * width)));
  const idealPoints = model.userIds.map((_, index) => {
    const weights = mixtureOfRow(model, index);
    return Array.from({ length: width }, (_, i) => weights.reduce((sum, weight, k) => sum + weight * prototypes[k]![i]!, 0));
  });
  return { prototypes, idealPoints };
}

/**
 * True and learned prototypes and ideal points of a 2-D PAL-A model in its input space, where the paper
 * draws them (Figures 5a, D.1): true ones as light rings and crosses, learned ones filled, users in the
 * order of `model.userIds`.
 */
export function idealPointsChart(model: PalModel, truth: { prototypes: number[][]; idealPoints: number[][] }, options: { id: string; title: string; caption?: string }): ScatterChart {
  const learned = learnedIdealPoints(model);
  if (learned.prototypes[0]!.length !== 2) throw new InvalidArgumentError(`ideal points chart: expected a 2-D input space, found ${learned.prototypes[0]!.length} dimensions`, { source: 'eval' });
  const toPoints = (rows: number[][], label: string) => rows.map((row, index) => ({ x: row[0]!, y: row[1]!, label: `${label} ${index + 1}` }));
  return {
    kind: 'scatter-chart',
    id: options.id,
    title: options.title,
    caption: options.caption,
    xLabel: 'x1',
    yLabel: 'x2',
    series: [
      { name: 'true ideal points', marker: 'ring', size: 3.5, color: 6, points: toPoints(truth.idealPoints, 'true user') },
      { name: 'learned ideal points', marker: 'circle', size: 3, color: 0, points: toPoints(learned.idealPoints, 'learned user') },
      { name: 'true prototypes', marker: 'cross', size: 8, color: 7, points: toPoints(truth.prototypes, 'true prototype') },
      { name: 'learned prototypes', marker: 'square', size: 6, color: 5, points: toPoints(learned.prototypes, 'learned prototype') },
    ],
  };
}

/** Training and validation loss per epoch for one or more runs. */
export function trainingCurveChart(runs: { name: string; history: EpochRecord[] }[], options: { id?: string; title?: string; caption?: string } = {}): LineChart {
  const series: LineSeries[] = [];
  for (const run of runs) {
    series.push({ name: `${run.name} train`, points: run.history.map((record) => ({ x: record.epoch, y: record.trainLoss })) });
    const validation = run.history.filter((record) => record.validationLoss !== undefined);
    if (validation.length > 0) series.push({ name: `${run.name} validation`, dashed: true, points: validation.map((record) => ({ x: record.epoch, y: record.validationLoss! })) });
  }
  return { kind: 'line-chart', id: options.id ?? 'training-curves', title: options.title ?? 'Training curves', caption: options.caption, xLabel: 'epoch', yLabel: 'loss', xScale: 'linear', percent: false, series };
}

/** Per-group accuracy as a table, PAL beside the baseline. */
export function groupAccuracyTable(rows: GroupAccuracy[], options: { title?: string; caption?: string } = {}): ReportTable {
  return {
    kind: 'table',
    title: options.title ?? 'Accuracy per true group',
    caption: options.caption,
    columns: ['group', 'users', 'comparisons', 'PAL', 'K = 1 baseline'],
    rows: rows.map((row) => [row.group, row.users, row.count, formatPercent(row.accuracy), row.baselineAccuracy === undefined ? '' : formatPercent(row.baselineAccuracy)]),
  };
}

/** An accuracy as a percentage with one decimal, e.g. "97.3%". */
export function formatPercent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}
