import { join, resolve } from 'node:path';
import { saveCheckpoint, train, type EpochRecord, type ModelDefinitionInput, type PalModel, type TrainResult } from '@pal/core';
import { fewShotCurve, perGroupAccuracy, seenUserAccuracy, zeroShot, type FewShotPoint, type GroupAccuracy } from '@pal/eval';
import type { CliConfig } from '../config/config-schema.js';
import type { Output } from '../output/output.js';
import type { ResolvedBackend } from '../plugins/backends.js';
import { encoderProvenance } from '../plugins/encoders.js';
import { requireSplit, type PreparedData } from '../plugins/prepare-data.js';

/** What every command that trains or evaluates works with. */
export interface RunContext {
  config: CliConfig;
  output: Output;
  backend: ResolvedBackend;
  signal?: AbortSignal;
}

/** `<runsDirectory>/<name>`, absolute. */
export function runDirectory(config: CliConfig): string {
  return resolve(config.runsDirectory, config.name);
}

/** Paths inside a run directory. */
export const runPaths = (directory: string) => ({
  checkpoint: join(directory, 'checkpoint'),
  baselineCheckpoint: join(directory, 'baseline-checkpoint'),
  localizedCheckpoint: join(directory, 'localized-checkpoint'),
  results: join(directory, 'results.json'),
  trainHistory: join(directory, 'train-history.json'),
  reportData: join(directory, 'report-data.json'),
  report: join(directory, 'report.html'),
});

/** The model definition of the config for the data's embedding widths. */
export function modelDefinition(config: CliConfig, data: PreparedData, numPrototypes = config.model.numPrototypes): ModelDefinitionInput {
  const { kind, latentDim, projector, itemProjector, promptProjector, head } = config.model;
  const common = { numPrototypes, itemDim: data.itemDim, latentDim };
  if (kind === 'pal-a') return { kind, ...common, promptDim: data.promptDim, ...(projector ? { projector } : {}), ...(head ? { head } : {}) };
  return { kind, ...common, promptDim: data.promptDim, ...(itemProjector ? { itemProjector } : {}), ...(promptProjector ? { promptProjector } : {}) };
}

/** Trains one model on the data's train split (validation split for model selection), with a progress bar. */
export async function trainModel(context: RunContext, data: PreparedData, numPrototypes: number, label: string): Promise<TrainResult & { trainMs: number }> {
  const trainData = requireSplit(data, 'train');
  const { epochs, batchSize } = context.config.train;
  const stepsPerEpoch = Math.ceil(trainData.label.length / batchSize);
  const bar = context.output.progress(`train ${label}`, epochs * stepsPerEpoch);
  const started = Date.now();
  try {
    const result = await train({
      backend: context.backend.backend,
      definition: modelDefinition(context.config, data, numPrototypes),
      train: trainData,
      validation: data.splits.validation,
      options: context.config.train,
      signal: context.signal,
      onProgress: (progress) => {
        if (progress.kind === 'step') bar.update((progress.epoch - 1) * stepsPerEpoch + progress.step);
      },
    });
    return { ...result, trainMs: Date.now() - started };
  } finally {
    bar.stop();
  }
}

/** Saves a model as a checkpoint with what is needed to use it again (encoder settings, dataset, backend). */
export async function saveModel(directory: string, model: PalModel, context: RunContext, data: PreparedData, metrics: Record<string, unknown> = {}): Promise<void> {
  await saveCheckpoint(directory, {
    definition: model.definition,
    weights: model.weights,
    userIds: model.userIds,
    provenance: {
      backend: context.backend.name,
      dataset: data.name,
      seed: context.config.train.seed,
      trainOptions: context.config.train as Record<string, unknown>,
      metrics,
      encoder: data.encoderId === 'none' ? undefined : encoderProvenance(context.config.encoder),
      encoderId: data.encoderId,
      groups: data.groups,
    },
  });
}

/** Everything `evaluateRun` measures. */
export interface RunEvaluation {
  seen: { accuracy: number; baselineAccuracy?: number; count: number; users: number };
  unseen?: { shots: number; accuracy: number; baselineAccuracy?: number; count: number; users: number };
  fewShot?: FewShotPoint[];
  zeroShot?: { accuracy: number; baselineAccuracy?: number; users: number };
  perGroup?: GroupAccuracy[];
  /** The model with unseen users localised from `unseen.shots` comparisons each. */
  localizedModel?: PalModel;
  timings: { seenMs: number; unseenMs: number };
}

/** Seen users on the test split; unseen users few-shot over the configured N (and zero-shot); per-group accuracy. */
export async function evaluateRun(context: RunContext, data: PreparedData, model: PalModel, baseline?: PalModel): Promise<RunEvaluation> {
  const backend = context.backend.backend;
  const test = requireSplit(data, 'test');
  const seenStarted = Date.now();
  const seen = await seenUserAccuracy({ backend, model, baseline, test });
  const evaluation: RunEvaluation = {
    seen: { accuracy: seen.accuracy, baselineAccuracy: seen.baselineAccuracy, count: seen.count, users: Object.keys(seen.perUser).length },
    timings: { seenMs: Date.now() - seenStarted, unseenMs: 0 },
  };
  if (Object.keys(data.groups).length > 0) evaluation.perGroup = await perGroupAccuracy({ backend, model, baseline, test, groups: data.groups });
  const pool = data.splits['unseen-train'];
  const unseenTest = data.splits['unseen-test'];
  if (pool && unseenTest && pool.label.length > 0 && unseenTest.label.length > 0) {
    const unseenStarted = Date.now();
    const { shots: shotList, unseenShots } = context.config.evaluation;
    const shots = [...new Set([...shotList, unseenShots])].sort((a, b) => a - b);
    const bar = context.output.progress('localise unseen users', shots.length);
    let curve;
    try {
      curve = await fewShotCurve({ backend, model, baseline, pool, test: unseenTest, shots, localizeOptions: context.config.localize, signal: context.signal, onProgress: ({ done }) => bar.update(done) });
    } finally {
      bar.stop();
    }
    const headline = curve.points.find((point) => point.shots === unseenShots)!;
    evaluation.unseen = { shots: unseenShots, accuracy: headline.accuracy, baselineAccuracy: headline.baselineAccuracy, count: headline.testCount, users: headline.users };
    evaluation.fewShot = curve.points;
    evaluation.localizedModel = curve.localizedModels[unseenShots];
    const zero = await zeroShot({ backend, model, baseline, test: unseenTest });
    evaluation.zeroShot = { accuracy: zero.accuracy, baselineAccuracy: zero.baselineAccuracy, users: zero.users };
    evaluation.timings.unseenMs = Date.now() - unseenStarted;
  }
  return evaluation;
}

/** Training histories by run name, for the training-curve chart. */
export type NamedHistories = { name: string; history: EpochRecord[] }[];
