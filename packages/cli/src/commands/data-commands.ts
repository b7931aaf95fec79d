import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { atomicWriteFile, evaluate, InvalidArgumentError, localize } from '@pal/core';
import { formatPercent, takeShotsPerUser, writeReport, type ReportDataInput } from '@pal/eval';
import { resolveConfig } from '../config/load-config.js';
import { formatDuration, type Output } from '../output/output.js';
import { prepareData, requireSplit } from '../plugins/prepare-data.js';
import { loadModel } from '../run/load-model.js';
import { openContext } from '../run/open-context.js';
import { evaluateRun, runDirectory, runPaths, saveModel, trainModel, type NamedHistories } from '../run/pipeline.js';
import { runReportData } from '../run/run-report.js';
import { saveRunOutputs } from '../run/save-run.js';
import { addCommonOptions, addOutputOptions, flagsToConfig, positiveInteger, positiveIntegerList, type CommonOptions } from './common-options.js';

type Runner = (work: (output: Output) => Promise<void>, options: CommonOptions) => Promise<void>;

interface TrainOptions extends CommonOptions {
  baseline?: boolean;
}

async function configFor(options: CommonOptions) {
  return resolveConfig({ file: options.config, flags: flagsToConfig(options) });
}

/** `pal train`: trains the configured model (and the K = 1 baseline) and saves checkpoints. */
async function runTrain(options: TrainOptions, output: Output): Promise<void> {
  const config = await configFor(options);
  const context = await openContext(config, output);
  const data = await prepareData(config, output);
  const paths = runPaths(runDirectory(config));
  const pal = await trainModel(context, data, config.model.numPrototypes, `PAL K = ${config.model.numPrototypes}`);
  const last = (history: typeof pal.history, epoch: number) => history.find((record) => record.epoch === epoch);
  await saveModel(paths.checkpoint, pal.model, context, data, { validationAccuracy: last(pal.history, pal.bestEpoch)?.validationAccuracy });
  const withBaseline = options.baseline !== false && config.evaluation.baseline && config.model.numPrototypes !== 1;
  const baseline = withBaseline ? await trainModel(context, data, 1, 'baseline K = 1') : undefined;
  if (baseline) await saveModel(paths.baselineCheckpoint, baseline.model, context, data, { validationAccuracy: last(baseline.history, baseline.bestEpoch)?.validationAccuracy });
  const summary = {
    checkpointPath: paths.checkpoint,
    baselineCheckpointPath: baseline ? paths.baselineCheckpoint : null,
    backend: context.backend.name,
    dataset: data.name,
    users: pal.model.userIds.length,
    bestEpoch: pal.bestEpoch,
    validationAccuracy: last(pal.history, pal.bestEpoch)?.validationAccuracy ?? null,
    baselineValidationAccuracy: baseline ? (last(baseline.history, baseline.bestEpoch)?.validationAccuracy ?? null) : null,
    history: pal.history,
    timings: { embedMs: data.timings.embedMs, trainMs: pal.trainMs, trainBaselineMs: baseline?.trainMs ?? 0 },
  };
  const histories = [{ name: `PAL K = ${config.model.numPrototypes}`, history: pal.history }, ...(baseline ? [{ name: 'K = 1', history: baseline.history }] : [])];
  await atomicWriteFile(paths.trainHistory, `${JSON.stringify(histories)}\n`);
  output.result(
    summary,
    [
      `trained ${pal.model.definition.kind} K = ${config.model.numPrototypes} on ${data.name} (${context.backend.name}) in ${formatDuration(pal.trainMs)}; best epoch ${pal.bestEpoch}`,
      summary.validationAccuracy === null ? '' : `  validation accuracy: ${formatPercent(summary.validationAccuracy)}${summary.baselineValidationAccuracy === null ? '' : ` (K = 1 baseline ${formatPercent(summary.baselineValidationAccuracy)})`}`,
      `  checkpoint: ${paths.checkpoint}`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

interface EvaluateOptions extends CommonOptions {
  checkpoint?: string;
  baselineCheckpoint?: string;
  shots?: number[];
}

/** `pal evaluate`: seen users, few-shot unseen users, zero-shot and per-group accuracy of saved checkpoints; writes the report. */
async function runEvaluate(options: EvaluateOptions, output: Output): Promise<void> {
  const started = Date.now();
  const config = await configFor(options);
  if (options.shots) config.evaluation.shots = options.shots;
  const context = await openContext(config, output);
  const directory = runDirectory(config);
  const paths = runPaths(directory);
  const { model } = await loadModel(options.checkpoint ?? paths.checkpoint);
  const baselinePath = options.baselineCheckpoint ?? paths.baselineCheckpoint;
  const baseline = options.baselineCheckpoint || existsSync(baselinePath) ? (await loadModel(baselinePath)).model : undefined;
  const data = await prepareData(config, output);
  const evaluation = await evaluateRun(context, data, model, baseline);
  // Training curves come from `pal train`'s history when this run has one.
  const histories: NamedHistories = existsSync(paths.trainHistory) ? JSON.parse(await readFile(paths.trainHistory, 'utf8')) : [];
  const { localizedModel: _localized, ...results } = evaluation;
  const timings = { embedMs: data.timings.embedMs, evaluateSeenMs: evaluation.timings.seenMs, evaluateUnseenMs: evaluation.timings.unseenMs, totalMs: Date.now() - started };
  const saved = await saveRunOutputs(directory, { ...results, backend: context.backend.name, dataset: data.name }, runReportData({ title: `PAL evaluation: ${data.name}`, data, model, evaluation, histories, backendName: context.backend.name, timings }));
  output.result(
    { ...results, backend: context.backend.name, dataset: data.name, reportPath: saved.report },
    [
      `evaluated on ${data.name} (${context.backend.name})`,
      `  seen users: PAL ${formatPercent(evaluation.seen.accuracy)}${evaluation.seen.baselineAccuracy === undefined ? '' : `   K = 1 baseline ${formatPercent(evaluation.seen.baselineAccuracy)}`}`,
      evaluation.unseen ? `  unseen users (${evaluation.unseen.shots}-shot): PAL ${formatPercent(evaluation.unseen.accuracy)}${evaluation.unseen.baselineAccuracy === undefined ? '' : `   K = 1 baseline ${formatPercent(evaluation.unseen.baselineAccuracy)}`}` : '',
      `  report: ${saved.report}`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

interface LocalizeCommandOptions extends CommonOptions {
  checkpoint?: string;
  shots?: number;
  output?: string;
}

/** `pal localize`: learns the unseen users' mixture weights from N comparisons each and saves the extended checkpoint. */
async function runLocalize(options: LocalizeCommandOptions, output: Output): Promise<void> {
  const config = await configFor(options);
  const context = await openContext(config, output);
  const paths = runPaths(runDirectory(config));
  const { model } = await loadModel(options.checkpoint ?? paths.checkpoint);
  const data = await prepareData(config, output);
  const shots = options.shots ?? config.evaluation.unseenShots;
  const pool = takeShotsPerUser(requireSplit(data, 'unseen-train'), shots);
  const started = Date.now();
  const localized = await output.task(`localise ${new Set(pool.user).size} users from ${shots} comparisons each`, () =>
    localize({ backend: context.backend.backend, model, data: pool, options: config.localize }),
  );
  const localizeMs = Date.now() - started;
  const test = data.splits['unseen-test'];
  const accuracy = test && test.label.length > 0 ? (await evaluate({ backend: context.backend.backend, model: localized.model, data: test })).accuracy : null;
  const target = resolve(options.output ?? paths.localizedCheckpoint);
  await saveModel(target, localized.model, context, data, { unseenAccuracy: accuracy, shots });
  output.result(
    { checkpointPath: target, users: localized.userIds.length, shots, unseenAccuracy: accuracy, localizeMs },
    [`localised ${localized.userIds.length} users from ${shots} comparisons each in ${formatDuration(localizeMs)}`, accuracy === null ? '' : `  accuracy on their other comparisons: ${formatPercent(accuracy)}`, `  checkpoint: ${target}`].filter(Boolean).join('\n'),
  );
}

/** `pal embed`: loads and embeds the dataset into the cache, and reports what it holds. */
async function runEmbed(options: CommonOptions, output: Output): Promise<void> {
  const config = await configFor(options);
  const data = await prepareData(config, output);
  const splits = Object.fromEntries(
    Object.entries(data.splits).map(([split, comparisons]) => [split, { comparisons: comparisons!.label.length, users: new Set(comparisons!.user).size, prompts: comparisons!.prompts.rows, items: comparisons!.items.rows }]),
  );
  output.result(
    { dataset: data.name, encoder: data.encoderId, itemDim: data.itemDim, promptDim: data.promptDim, cacheDirectory: resolve(config.cacheDirectory), splits, timings: data.timings },
    [
      `embedded ${data.name} with ${data.encoderId} in ${formatDuration(data.timings.embedMs)} (cache: ${resolve(config.cacheDirectory)})`,
      ...Object.entries(splits).map(([split, counts]) => `  ${split.padEnd(18)} ${String(counts.comparisons).padStart(7)} comparisons, ${counts.users} users`),
    ].join('\n'),
  );
}

interface ReportOptions extends CommonOptions {
  run?: string;
}

/** `pal report`: re-renders a run's report.html from its saved report data. */
async function runReport(options: ReportOptions, output: Output): Promise<void> {
  const directory = resolve(options.run ?? runDirectory(await configFor(options)));
  const paths = runPaths(directory);
  let text: string;
  try {
    text = await readFile(paths.reportData, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`run ${directory}: expected ${paths.reportData} (written by quickstart, evaluate or repro), found none`, { source: 'cli', cause: error });
  }
  const report = await writeReport(paths.report, JSON.parse(text) as ReportDataInput);
  output.result({ reportPath: report }, `report: ${report}`);
}

/** Registers train, evaluate, localize, embed and report. */
export function registerDataCommands(program: Command, run: Runner): void {
  addCommonOptions(program.command('train').description('train the configured PAL model and the K = 1 baseline; checkpoints go to runs/<name>/'))
    .option('--no-baseline', 'skip the K = 1 baseline')
    .action(async (options: TrainOptions) => run((output) => runTrain(options, output), options));
  addCommonOptions(program.command('evaluate').description('seen, few-shot unseen, zero-shot and per-group accuracy of a run\'s checkpoints; writes report.html'))
    .option('--checkpoint <dir>', 'PAL checkpoint (default: runs/<name>/checkpoint)')
    .option('--baseline-checkpoint <dir>', 'K = 1 checkpoint (default: runs/<name>/baseline-checkpoint when present)')
    .option('--shots <list>', 'N values of the few-shot curve, e.g. 1,5,20', positiveIntegerList)
    .action(async (options: EvaluateOptions) => run((output) => runEvaluate(options, output), options));
  addCommonOptions(program.command('localize').description('learn unseen users\' mixture weights from N comparisons each; saves the extended checkpoint'))
    .option('--checkpoint <dir>', 'PAL checkpoint (default: runs/<name>/checkpoint)')
    .option('--shots <number>', 'comparisons per user (default: evaluation.unseenShots)', positiveInteger)
    .option('-o, --output <dir>', 'where to save (default: runs/<name>/localized-checkpoint)')
    .action(async (options: LocalizeCommandOptions) => run((output) => runLocalize(options, output), options));
  addCommonOptions(program.command('embed').description('load and embed the dataset into the embedding cache'))
    .action(async (options: CommonOptions) => run((output) => runEmbed(options, output), options));
  addOutputOptions(program.command('report').description('re-render a run\'s report.html from its saved data'))
    .option('--run <dir>', 'run directory (default: runs/<name>)')
    .option('-c, --config <file>', 'config file (for the run name)')
    .option('--name <run>', 'run name')
    .option('--runs-dir <dir>', 'folder of runs')
    .action(async (options: ReportOptions) => run((output) => runReport(options, output), options));
}
