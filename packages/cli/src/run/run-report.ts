import type { PalModel } from '@pal/core';
import { fewShotChart, formatPercent, groupAccuracyTable, kSweepChart, mixtureChart, trainingCurveChart, type ReportDataInput, type ReportSection } from '@pal/eval';
import { formatDuration } from '../output/output.js';
import type { PreparedData } from '../plugins/prepare-data.js';
import type { NamedHistories, RunEvaluation } from './pipeline.js';

/** What a run's report shows. */
export interface RunReportInput {
  title: string;
  data: PreparedData;
  model: PalModel;
  evaluation: RunEvaluation;
  histories: NamedHistories;
  backendName: string;
  timings: Record<string, number>;
  details?: { label: string; value: string }[];
}

/** The report of a train + evaluate run: headline cards, few-shot curve, accuracy against K, mixtures, training curves. */
export function runReportData(input: RunReportInput): ReportDataInput {
  const { evaluation, model } = input;
  const K = model.definition.numPrototypes;
  const summary = [
    { label: `seen users, PAL K = ${K}`, value: formatPercent(evaluation.seen.accuracy) },
    ...(evaluation.seen.baselineAccuracy !== undefined ? [{ label: 'seen users, K = 1 baseline', value: formatPercent(evaluation.seen.baselineAccuracy) }] : []),
    ...(evaluation.unseen ? [{ label: `unseen users (${evaluation.unseen.shots}-shot), PAL`, value: formatPercent(evaluation.unseen.accuracy) }] : []),
    ...(evaluation.unseen?.baselineAccuracy !== undefined ? [{ label: 'unseen users, K = 1 baseline', value: formatPercent(evaluation.unseen.baselineAccuracy) }] : []),
    ...(evaluation.zeroShot ? [{ label: 'unseen users, zero-shot', value: formatPercent(evaluation.zeroShot.accuracy) }] : []),
    { label: 'backend', value: input.backendName },
    ...(input.timings.totalMs !== undefined ? [{ label: 'total time', value: formatDuration(input.timings.totalMs) }] : []),
  ];
  const sections: ReportSection[] = [];
  if (evaluation.fewShot) {
    sections.push(
      fewShotChart(
        { points: evaluation.fewShot, localizedModels: {} },
        { numPrototypes: K, seenAccuracy: evaluation.seen.accuracy, caption: 'Only the new users\' mixture weights are learned from N comparisons each (20% held out to pick the step); everything shared is frozen. The K = 1 model has no weights to learn. Paper Figure 3.' },
      ),
    );
  }
  if (evaluation.seen.baselineAccuracy !== undefined) {
    sections.push(
      kSweepChart(
        {
          points: [
            { k: 1, seenAccuracy: evaluation.seen.baselineAccuracy, unseenAccuracy: evaluation.unseen?.baselineAccuracy, bestEpoch: 0, trainMs: 0, history: [] },
            { k: K, seenAccuracy: evaluation.seen.accuracy, unseenAccuracy: evaluation.unseen?.accuracy, bestEpoch: 0, trainMs: 0, history: [] },
          ],
          models: {},
        },
        { unseenShots: evaluation.unseen?.shots, caption: 'The K = 1 homogeneous reward model beside PAL; `pal repro personas` sweeps every K (paper Figures D.5, D.6).' },
      ),
    );
  }
  sections.push(mixtureChart(model, input.data.groups, { id: 'mixtures-seen', title: `Seen users' mixture weights over the ${K} prototypes, coloured by true group`, caption: 'Each dot is a user at sum_k w_k * vertex_k of the flat simplex (paper Figures 5a, D.1).' }));
  if (evaluation.localizedModel && evaluation.unseen) {
    const unseenIds = evaluation.localizedModel.userIds.filter((id) => !model.userIds.includes(id));
    sections.push(mixtureChart(evaluation.localizedModel, input.data.groups, { id: 'mixtures-unseen', userIds: unseenIds, title: `Unseen users' mixture weights after ${evaluation.unseen.shots}-shot localisation` }));
  }
  if (input.histories.some((run) => run.history.length > 0)) {
    sections.push(trainingCurveChart(input.histories.filter((run) => run.history.length > 0), { caption: 'Mean training loss per epoch and the validation loss used for model selection.' }));
  }
  if (evaluation.perGroup) sections.push(groupAccuracyTable(evaluation.perGroup, { caption: 'Seen users\' test comparisons by true group.' }));
  if (evaluation.fewShot) {
    sections.push({
      kind: 'table',
      title: 'Few-shot accuracy',
      columns: ['N', 'PAL', 'K = 1 baseline', 'comparisons used', 'users'],
      rows: evaluation.fewShot.map((point) => [point.shots, formatPercent(point.accuracy), point.baselineAccuracy === undefined ? '' : formatPercent(point.baselineAccuracy), point.comparisonsUsed, point.users]),
    });
  }
  return {
    title: input.title,
    subtitle: input.data.description,
    summary,
    sections,
    details: [
      { label: 'dataset', value: input.data.name },
      { label: 'encoder', value: input.data.encoderId },
      { label: 'model', value: JSON.stringify(model.definition) },
      { label: 'timings', value: Object.entries(input.timings).map(([name, ms]) => `${name.replace(/Ms$/, '')} ${formatDuration(ms)}`).join(', ') },
      ...(input.details ?? []),
    ],
  };
}
