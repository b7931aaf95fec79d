import { mixtureOfRow, type EpochRecord, type PalModel } from '@pal/core';
import type { FewShotCurveResult } from '../protocols/few-shot-curve.js';
import type { KSweepResult } from '../protocols/k-sweep.js';
import type { GroupAccuracy } from '../protocols/per-group-accuracy.js';
import type { LineChart, LineSeries, MixtureChart, ReportTable } from './report-data.js';

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
