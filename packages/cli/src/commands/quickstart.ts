import type { Command } from 'commander';
import type { ConfigObject } from '../config/load-config.js';
import { mergeConfig, resolveConfig } from '../config/load-config.js';
import { formatDuration, type Output } from '../output/output.js';
import { formatPercent } from '@pal/eval';
import { prepareData } from '../plugins/prepare-data.js';
import { openContext } from '../run/open-context.js';
import { evaluateRun, runDirectory, runPaths, saveModel, trainModel } from '../run/pipeline.js';
import { runReportData } from '../run/run-report.js';
import { saveRunOutputs } from '../run/save-run.js';
import { addOutputOptions, type CommonOptions } from './common-options.js';

/**
 * The quickstart's settings (measured on 2 cores, see docs/cli.md): Personas with K* = 4, hashed
 * bag-of-words features (distinct statements are nearly orthogonal at 1024 buckets), PAL-B with K = 4 and
 * linear projectors to a 16-dimensional latent space.
 */
export const QUICKSTART_PRESET: ConfigObject = {
  name: 'quickstart',
  encoder: { kind: 'hashing', dimension: 1024 },
  dataset: { kind: 'personas', numGroups: 4, usersPerGroup: 60, unseenUsersPerGroup: 10, queriesPerUser: 200, queriesPerUnseenUser: 100, seed: 0 },
  model: { kind: 'pal-b', numPrototypes: 4, latentDim: 16, itemProjector: 'mlp0-linear-dropout0', promptProjector: 'mlp0-linear-dropout0' },
  train: { epochs: 8, batchSize: 256, seed: 1, optimizer: { groups: { projectors: { learningRate: 1e-3, weightDecay: 0 }, userWeights: { learningRate: 5e-2 } } } },
  localize: { steps: 200, learningRate: 0.1 },
  evaluation: { shots: [1, 2, 5, 10, 20, 50], unseenShots: 20, baseline: true },
};

/** `--small`: the same pipeline on a few hundred comparisons, for tests and a first look (seconds on any backend). */
export const QUICKSTART_SMALL: ConfigObject = {
  name: 'quickstart-small',
  encoder: { kind: 'hashing', dimension: 512 },
  dataset: { kind: 'personas', numGroups: 4, usersPerGroup: 12, unseenUsersPerGroup: 4, queriesPerUser: 60, queriesPerUnseenUser: 40, seed: 0 },
  train: { epochs: 3 },
  localize: { steps: 40 },
  evaluation: { shots: [2, 10, 20] },
};

interface QuickstartOptions extends CommonOptions {
  small?: boolean;
}

/** Runs the quickstart: Personas, hashing encoder, PAL-B K = 4 and the K = 1 baseline, few-shot unseen users, report. */
export async function runQuickstart(options: QuickstartOptions, output: Output): Promise<void> {
  const started = Date.now();
  const config = await resolveConfig({
    file: options.config,
    preset: options.small ? mergeConfig(QUICKSTART_PRESET, QUICKSTART_SMALL) : QUICKSTART_PRESET,
    flags: { backend: options.backend, name: options.name, runsDirectory: options.runsDir, cacheDirectory: options.cacheDir },
  });
  const context = await openContext(config, output);
  const data = await prepareData(config, output);
  const pal = await trainModel(context, data, config.model.numPrototypes, `PAL-B K = ${config.model.numPrototypes}`);
  const baseline = config.evaluation.baseline ? await trainModel(context, data, 1, 'baseline K = 1') : undefined;
  const evaluation = await evaluateRun(context, data, pal.model, baseline?.model);
  const directory = runDirectory(config);
  const paths = runPaths(directory);
  await saveModel(paths.checkpoint, pal.model, context, data, { seenAccuracy: evaluation.seen.accuracy });
  if (baseline) await saveModel(paths.baselineCheckpoint, baseline.model, context, data, { seenAccuracy: evaluation.seen.baselineAccuracy });
  if (evaluation.localizedModel) await saveModel(paths.localizedCheckpoint, evaluation.localizedModel, context, data, { unseenAccuracy: evaluation.unseen?.accuracy });
  const timings = {
    loadMs: data.timings.loadMs,
    embedMs: data.timings.embedMs,
    trainPalMs: pal.trainMs,
    trainBaselineMs: baseline?.trainMs ?? 0,
    evaluateSeenMs: evaluation.timings.seenMs,
    evaluateUnseenMs: evaluation.timings.unseenMs,
    totalMs: 0,
  };
  const summary = {
    seenAccuracy: evaluation.seen.accuracy,
    unseenAccuracy: evaluation.unseen?.accuracy ?? null,
    unseenShots: evaluation.unseen?.shots ?? null,
    baselineSeenAccuracy: evaluation.seen.baselineAccuracy ?? null,
    baselineUnseenAccuracy: evaluation.unseen?.baselineAccuracy ?? null,
    zeroShotAccuracy: evaluation.zeroShot?.accuracy ?? null,
    fewShot: evaluation.fewShot ?? [],
    perGroup: evaluation.perGroup ?? [],
    backend: context.backend.name,
    dataset: data.name,
    comparisons: Object.fromEntries(Object.entries(data.splits).map(([split, comparisons]) => [split, comparisons!.label.length])),
    bestEpoch: { pal: pal.bestEpoch, baseline: baseline?.bestEpoch ?? null },
    runDirectory: directory,
    reportPath: paths.report,
    checkpointPath: paths.checkpoint,
    timings,
  };
  const histories = [{ name: `PAL K = ${config.model.numPrototypes}`, history: pal.history }, ...(baseline ? [{ name: 'K = 1', history: baseline.history }] : [])];
  timings.totalMs = Date.now() - started;
  await saveRunOutputs(directory, summary, runReportData({ title: 'PAL quickstart: Personas (K* = 4)', data, model: pal.model, evaluation, histories, backendName: context.backend.name, timings }));
  timings.totalMs = Date.now() - started;
  output.result(
    summary,
    [
      `PAL quickstart on ${data.name} (${context.backend.name} backend)`,
      `  seen users:   PAL K = ${config.model.numPrototypes} ${formatPercent(summary.seenAccuracy)}   K = 1 baseline ${summary.baselineSeenAccuracy === null ? 'n/a' : formatPercent(summary.baselineSeenAccuracy)}`,
      summary.unseenAccuracy === null
        ? '  unseen users: none in this dataset'
        : `  unseen users (${summary.unseenShots}-shot): PAL ${formatPercent(summary.unseenAccuracy)}   K = 1 baseline ${summary.baselineUnseenAccuracy === null ? 'n/a' : formatPercent(summary.baselineUnseenAccuracy)}   zero-shot ${formatPercent(summary.zeroShotAccuracy ?? Number.NaN)}`,
      `  time: ${formatDuration(timings.totalMs)} (embed ${formatDuration(timings.embedMs)}, train ${formatDuration(timings.trainPalMs + timings.trainBaselineMs)}, evaluate ${formatDuration(timings.evaluateSeenMs + timings.evaluateUnseenMs)})`,
      `  report: ${paths.report}`,
      `  checkpoint: ${paths.checkpoint}`,
    ].join('\n'),
  );
}

/** Registers `pal quickstart`. */
export function registerQuickstart(program: Command, run: (work: (output: Output) => Promise<void>, options: CommonOptions) => Promise<void>): void {
  addOutputOptions(
    program
      .command('quickstart')
      .description('Personas (K* = 4) -> hashing encoder -> PAL-B K = 4 and the K = 1 baseline -> 20-shot unseen users -> runs/quickstart/report.html')
      .option('--small', 'a scaled-down run (seconds), for tests and a first look')
      .option('-c, --config <file>', 'config file whose settings override the quickstart preset')
      .option('--backend <name>', 'compute backend: auto, onnx, tfjs or reference')
      .option('--name <run>', 'run name (default: quickstart)')
      .option('--runs-dir <dir>', 'folder of runs (default: runs)')
      .option('--cache-dir <dir>', 'embedding cache folder (default: .pal-cache)'),
  ).action(async (options: QuickstartOptions) => run((output) => runQuickstart(options, output), options));
}
