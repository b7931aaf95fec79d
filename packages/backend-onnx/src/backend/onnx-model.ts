import type * as ort from 'onnxruntime-node';
import {
  InvalidArgumentError,
  NumericalError,
  USER_LOGITS,
  adamBiasCorrections,
  adamwUpdate,
  assertWeightsMatchLayout,
  parameterLayout,
  type BackendModelV1,
  type ComparisonBatchV1,
  type CreateModelOptionsV1,
  type NamedWeights,
  type PalAModelDefinition,
  type PalBModelDefinition,
  type ParameterInfo,
  type ScoreRequestV1,
  type TrainStepOptionsV1,
} from '@pal/core';
import { ADAM_EPSILON_INPUT, adamScalarInputs, adamStepScalars } from '../model/adamw-graph.js';
import { ROW_OUTPUTS } from '../model/objective-graph.js';
import {
  MomentInputs,
  Outputs,
  buildEvaluateGraph,
  buildGradientGraph,
  buildScoreGraph,
  buildTrainGraph,
  buildPalARowGraph,
  buildPalBFeatureGraph,
  FeatureOutputs,
  hasDropout,
  type SessionGraph,
} from '../model/session-graphs.js';
import { frozenPalBObjective, reduceFrozenPalBBatch, type FrozenPalBBatch } from './frozen-pal-b-objective.js';
import { buildMultiStepTrainGraph, type MultiStepGraph } from '../model/multi-step-graph.js';
import { concatenate, stackStepFeeds } from './stack-feeds.js';
import { dropoutMaskFeeds, objectiveFeeds, scoreFeeds, type Feed } from './batch-feeds.js';
import type { SessionCache } from './session-cache.js';
import { runSession, scalarTensor, toTensors } from './session-runner.js';

type SessionKind = 'train' | 'trainSteps' | 'evaluate' | 'gradients' | 'score' | 'features' | 'rows';

/** Most steps one multi-step run takes; longer lists are split into several runs. */
const MAX_STEPS_PER_RUN = 32;

interface LoadedSession {
  session: ort.InferenceSession;
  graph: SessionGraph;
  key: string;
}

/**
 * A PAL model living in ONNX Runtime. Parameters and Adam moments stay in JS float32 arrays that are
 * wrapped (not copied) as inputs; each graph kind (train step, evaluation, gradients, scoring) is built
 * once from the definition and compiled into a session on first use (shared through the backend's
 * session cache). A training run writes its results into arrays the model owns (see `runTraining`), so
 * ONNX Runtime allocates no state of its own. Frozen parameters are read from the caller's arrays
 * without a copy and must not be modified while the model lives; `doExportWeights` hands them out the
 * same way and copies only trainable tensors.
 */
export class OnnxModel implements BackendModelV1 {
  private readonly layout: ParameterInfo[];
  private readonly trainable: ParameterInfo[];
  private readonly numUsers: number;
  private parameters = new Map<string, Float32Array>();
  private moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  private readonly sessions = new Map<SessionKind, Promise<LoadedSession>>();
  private disposed = false;
  /**
   * Localisation of PAL-B (only user logits train, no dropout): the projections are constant, so each
   * batch is projected once, reduced to K-dimensional quantities and the steps run on those in float64.
   * Batches are cached by object identity: core hands the same batch object to every step.
   */
  private readonly frozen:
    | { logits: Float64Array; moments: { m: Float64Array; v: Float64Array }; batches: WeakMap<ComparisonBatchV1, Promise<FrozenPalBBatch>> }
    | undefined;
  /**
   * Localisation of PAL-A (only user logits train, no dropout): f of each batch's input rows is computed
   * once and fed to the step graph, which then runs f only on the batch users' ideal points.
   */
  private readonly frozenRows: WeakMap<ComparisonBatchV1, Promise<Float32Array>> | undefined;

  /** The creation options without the initial weights, which are not kept alive by the model. */
  private readonly options: Omit<CreateModelOptionsV1, 'weights'>;

  constructor(
    options: CreateModelOptionsV1,
    private readonly sessionCache: SessionCache,
  ) {
    const { weights: _initialWeights, ...settings } = options;
    this.options = settings;
    this.numUsers = options.weights[USER_LOGITS]?.shape[0] ?? 0;
    this.layout = parameterLayout(options.definition, this.numUsers);
    assertWeightsMatchLayout(options.weights, this.layout, 'onnx backend weights');
    this.trainable = this.layout.filter((info) => options.trainableGroups.includes(info.group));
    const trainableNames = new Set(this.trainable.map((info) => info.name));
    for (const info of this.layout) {
      const data = options.weights[info.name]!.data;
      this.parameters.set(info.name, trainableNames.has(info.name) ? data.slice() : data);
    }
    for (const info of this.trainable) {
      const size = this.parameters.get(info.name)!.length;
      this.moments.set(info.name, { m: new Float32Array(size), v: new Float32Array(size) });
    }
    const onlyUserWeights = this.trainable.length > 0 && this.trainable.every((info) => info.name === USER_LOGITS);
    if (options.definition.kind === 'pal-b' && onlyUserWeights && !hasDropout(options.definition)) {
      const logits = Float64Array.from(this.parameters.get(USER_LOGITS)!);
      this.frozen = { logits, moments: { m: new Float64Array(logits.length), v: new Float64Array(logits.length) }, batches: new WeakMap() };
    }
    if (options.definition.kind === 'pal-a' && onlyUserWeights && !hasDropout(options.definition)) this.frozenRows = new WeakMap();
  }

  async doTrainStep(batch: ComparisonBatchV1, options: TrainStepOptionsV1): Promise<{ loss: number }> {
    if (this.trainable.length === 0) throw new InvalidArgumentError('onnx backend: doTrainStep needs at least one trainable parameter group');
    if (this.frozen) return { loss: finiteLoss(await this.frozenTrainStep(batch, options.step), options.step) };
    const { session, graph } = await this.load('train');
    const prepared = objectiveFeeds(this.options.definition, this.options.loss, batch, { numUsers: this.numUsers });
    const tensors = toTensors({ ...prepared.feeds, ...dropoutMaskFeeds(graph.masks, prepared, options.seed) });
    if (this.frozenRows) await this.addRowOutputs(tensors, batch, prepared.counts);
    this.addParameterTensors(tensors);
    this.addMomentTensors(tensors);
    for (const [name, value] of Object.entries(this.adamScalars(options.step))) tensors[name] = scalarTensor(value);
    const outputs = await this.runTraining(session, tensors, Outputs.loss);
    return { loss: finiteLoss(outputs[Outputs.loss]![0]!, options.step) };
  }

  async doTrainSteps(batches: ComparisonBatchV1[], options: TrainStepOptionsV1[]): Promise<{ losses: number[] }> {
    if (batches.length !== options.length) {
      throw new InvalidArgumentError(`onnx backend: doTrainSteps got ${batches.length} batches but ${options.length} step options`);
    }
    if (batches.length === 1 || this.frozen || this.frozenRows) {
      const losses: number[] = [];
      for (let index = 0; index < batches.length; index++) losses.push((await this.doTrainStep(batches[index]!, options[index]!)).loss);
      return { losses };
    }
    if (this.trainable.length === 0) throw new InvalidArgumentError('onnx backend: doTrainSteps needs at least one trainable parameter group');
    const losses: number[] = [];
    for (let start = 0; start < batches.length; start += MAX_STEPS_PER_RUN) {
      const end = Math.min(start + MAX_STEPS_PER_RUN, batches.length);
      const { session, graph } = await this.load('trainSteps');
      const multiStep = graph as MultiStepGraph;
      const steps = batches.slice(start, end).map((batch, index) => {
        const prepared = objectiveFeeds(this.options.definition, this.options.loss, batch, { numUsers: this.numUsers });
        Object.assign(prepared.feeds, dropoutMaskFeeds(multiStep.masks, prepared, options[start + index]!.seed));
        return prepared;
      });
      const scalars = options.slice(start, end).map((step) => this.adamScalars(step.step));
      const tensors = toTensors(stackStepFeeds(multiStep, steps, scalars));
      this.addParameterTensors(tensors);
      this.addMomentTensors(tensors);
      const outputs = await this.runTraining(session, tensors, Outputs.losses);
      outputs[Outputs.losses]!.forEach((loss, index) => losses.push(finiteLoss(loss, options[start + index]!.step)));
    }
    return { losses };
  }

  private async frozenTrainStep(batch: ComparisonBatchV1, step: number): Promise<number> {
    const frozen = this.frozen!;
    const reduced = await this.frozenBatch(batch);
    const gradient = new Float64Array(frozen.logits.length);
    const result = frozenPalBObjective(reduced, frozen.logits, this.options.loss, gradient);
    const { optimizer } = this.options;
    adamwUpdate(frozen.logits, gradient, frozen.moments, optimizer, optimizer.groups.userWeights, step);
    this.parameters.set(USER_LOGITS, Float32Array.from(frozen.logits));
    return result.loss;
  }

  /** Projects and reduces the batches of a localisation together: one feature run for all of them. */
  async doPrepareBatches(batches: ComparisonBatchV1[]): Promise<void> {
    if (this.frozen) await Promise.all(this.frozenBatches(batches));
  }

  /** The batch reduced for frozen-projection steps, projected on first use (see doPrepareBatches). */
  private frozenBatch(batch: ComparisonBatchV1): Promise<FrozenPalBBatch> {
    return this.frozenBatches([batch])[0]!;
  }

  /** Each batch's reduction from the cache, after one feature run for the batches not in it yet. */
  private frozenBatches(batches: ComparisonBatchV1[]): Promise<FrozenPalBBatch>[] {
    const cache = this.frozen!.batches;
    const pending = [...new Set(batches)].filter((batch) => !cache.has(batch));
    if (pending.length > 0) {
      const reduced = this.reduceBatches(pending);
      pending.forEach((batch, index) => {
        const one = reduced.then((list) => list[index]!);
        cache.set(batch, one);
        one.catch(() => cache.delete(batch));
      });
    }
    return batches.map((batch) => cache.get(batch)!);
  }

  /**
   * Runs the distinct rows of all `batches` through the feature graph at once (each run reads every
   * frozen projector weight, which costs more than the rows of a few-shot batch) and reduces each batch.
   */
  private async reduceBatches(batches: ComparisonBatchV1[]): Promise<FrozenPalBBatch[]> {
    const { session } = await this.load('features');
    const { definition, loss } = this.options;
    const prepared = batches.map((batch) => objectiveFeeds(definition, loss, batch).feeds);
    const stack = (name: 'items' | 'prompts'): Feed => {
      const data = concatenate(prepared.map((feeds) => feeds[name]!.data as Float32Array), Float32Array);
      const cols = prepared[0]![name]!.dims[1]!;
      return { type: 'float32', data, dims: [data.length / cols, cols] };
    };
    const tensors = toTensors({ items: stack('items'), prompts: stack('prompts') });
    this.addParameterTensors(tensors);
    const outputs = await runSession(session, tensors);
    const K = definition.numPrototypes;
    const d = definition.latentDim;
    const toIndices = (feed: Feed | undefined) => Int32Array.from(feed!.data as BigInt64Array, Number);
    let itemRow = 0;
    let promptRow = 0;
    return batches.map((batch, index) => {
      const feeds = prepared[index]!;
      const items = feeds.items!.dims[0]!;
      const prompts = feeds.prompts!.dims[0]!;
      const projections = {
        itemUnit: outputs[FeatureOutputs.itemUnit]!.subarray(itemRow * d, (itemRow + items) * d),
        promptOutputs: Array.from({ length: K }, (_, k) => outputs[FeatureOutputs.promptOutput(k)]!.subarray(promptRow * d, (promptRow + prompts) * d)),
        scale: outputs[FeatureOutputs.scale]![0]!,
        latentDim: d,
      };
      itemRow += items;
      promptRow += prompts;
      const indices = { promptIndex: toIndices(feeds.promptIndex), leftIndex: toIndices(feeds.leftIndex), rightIndex: toIndices(feeds.rightIndex) };
      return reduceFrozenPalBBatch(batch, indices, projections, loss);
    });
  }

  /** Feeds PAL-A's f(rows) for a batch, computing it on first use (the projector is frozen). */
  private async addRowOutputs(tensors: Record<string, ort.Tensor>, batch: ComparisonBatchV1, counts: Record<string, number>): Promise<void> {
    const cache = this.frozenRows!;
    let rows = cache.get(batch);
    if (!rows) {
      rows = this.load('rows').then(async ({ session }) => {
        const rowTensors = toTensors(objectiveFeeds(this.options.definition, this.options.loss, batch).feeds);
        this.addParameterTensors(rowTensors);
        return (await runSession(session, rowTensors))[ROW_OUTPUTS]!;
      });
      cache.set(batch, rows);
      rows.catch(() => cache.delete(batch));
    }
    const count = this.options.definition.promptDim === 0 ? counts.items! : counts.rows!;
    tensors[ROW_OUTPUTS] = toTensors({ [ROW_OUTPUTS]: { type: 'float32', data: await rows, dims: [count, this.options.definition.latentDim] } })[ROW_OUTPUTS]!;
  }

  /**
   * Runs a train-step or multi-step session with the new state written over the old, in the arrays the
   * model owns. A moment is read only by the first operation of its own update, which its write depends
   * on; a parameter is also read by the backward pass, so the graphs make its step size wait for those
   * reads (see emitTrainStep). ONNX Runtime then allocates no state per run (150-260 MB less peak
   * memory at d = 1024); onnxruntime-node still hands back copies of every output, which are dropped.
   */
  private async runTraining(session: ort.InferenceSession, tensors: Record<string, ort.Tensor>, lossOutput: string): Promise<Record<string, Float32Array>> {
    const targets: Record<string, ort.Tensor> = {};
    for (const info of this.trainable) {
      targets[Outputs.parameter(info.name)] = tensors[info.name]!;
      targets[Outputs.m(info.name)] = tensors[MomentInputs.m(info.name)]!;
      targets[Outputs.v(info.name)] = tensors[MomentInputs.v(info.name)]!;
    }
    return runSession(session, tensors, { targets, fetch: [lossOutput] });
  }

  async doEvaluate(batch: ComparisonBatchV1): Promise<{ loss: number; logits: Float32Array }> {
    if (this.frozen) {
      const result = frozenPalBObjective(await this.frozenBatch(batch), this.frozen.logits, this.options.loss);
      return { loss: result.loss, logits: Float32Array.from(result.logits) };
    }
    const { session } = await this.load('evaluate');
    const prepared = objectiveFeeds(this.options.definition, this.options.loss, batch);
    const tensors = toTensors(prepared.feeds);
    if (this.frozenRows) await this.addRowOutputs(tensors, batch, prepared.counts);
    this.addParameterTensors(tensors);
    const outputs = await runSession(session, tensors);
    return { loss: outputs[Outputs.loss]![0]!, logits: outputs[Outputs.logits]! };
  }

  async doComputeGradients(batch: ComparisonBatchV1): Promise<{ loss: number; gradients: NamedWeights }> {
    const { session } = await this.load('gradients');
    const tensors = toTensors(objectiveFeeds(this.options.definition, this.options.loss, batch, { numUsers: this.numUsers }).feeds);
    this.addParameterTensors(tensors);
    const outputs = await runSession(session, tensors);
    const gradients: NamedWeights = {};
    for (const info of this.layout) gradients[info.name] = { shape: [...info.shape], data: outputs[Outputs.gradient(info.name)]! };
    return { loss: outputs[Outputs.loss]![0]!, gradients };
  }

  async doScore(request: ScoreRequestV1): Promise<Float32Array> {
    if (request.user.length === 0) return new Float32Array(0);
    const { session } = await this.load('score');
    const tensors = toTensors(scoreFeeds(this.options.definition, request).feeds);
    this.addParameterTensors(tensors);
    const outputs = await runSession(session, tensors);
    return outputs[Outputs.rewards]!;
  }

  async doExportWeights(): Promise<NamedWeights> {
    this.assertAlive();
    const trainableNames = new Set(this.trainable.map((info) => info.name));
    const weights: NamedWeights = {};
    for (const info of this.layout) {
      const data = this.parameters.get(info.name)!;
      weights[info.name] = { shape: [...info.shape], data: trainableNames.has(info.name) ? data.slice() : data };
    }
    return weights;
  }

  async doDispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const loading of sessions) {
      const loaded = await loading.catch(() => undefined);
      if (loaded) await this.sessionCache.release(loaded.key);
    }
    this.parameters = new Map();
    this.moments = new Map();
  }

  private assertAlive(): void {
    if (this.disposed) throw new InvalidArgumentError('onnx backend: the model was disposed');
  }

  private load(kind: SessionKind): Promise<LoadedSession> {
    this.assertAlive();
    let loading = this.sessions.get(kind);
    if (!loading) {
      const { definition, loss, optimizer } = this.options;
      const key = JSON.stringify({
        kind,
        definition,
        loss,
        numUsers: this.numUsers,
        trainable: this.trainable.map((info) => info.name),
        betas: [optimizer.beta1, optimizer.beta2],
        decay: this.trainable.map((info) => optimizer.groups[info.group].weightDecay > 0),
      });
      const { graph, session } = this.sessionCache.acquire(key, () => this.buildGraph(kind));
      loading = session.then((loaded) => ({ session: loaded, graph, key }));
      this.sessions.set(kind, loading);
    }
    return loading;
  }

  private buildGraph(kind: SessionKind): SessionGraph {
    const { definition, loss, optimizer } = this.options;
    const base = { definition, loss, numUsers: this.numUsers };
    // Only the step and evaluation graphs take f(rows) precomputed; gradients and scores need f itself.
    const frozenRows = this.frozenRows !== undefined;
    switch (kind) {
      case 'train':
        return buildTrainGraph({ ...base, frozenRows, optimizer, trainable: this.trainable });
      case 'trainSteps':
        return buildMultiStepTrainGraph({ ...base, optimizer, trainable: this.trainable });
      case 'evaluate':
        return buildEvaluateGraph({ ...base, frozenRows });
      case 'gradients':
        return buildGradientGraph(base);
      case 'score':
        return buildScoreGraph(base);
      case 'features':
        return buildPalBFeatureGraph({ definition: definition as PalBModelDefinition, numUsers: this.numUsers });
      case 'rows':
        return buildPalARowGraph({ definition: definition as PalAModelDefinition, numUsers: this.numUsers });
    }
  }

  private addParameterTensors(tensors: Record<string, ort.Tensor>): void {
    const feeds: Record<string, Feed> = {};
    for (const info of this.layout) feeds[info.name] = { type: 'float32', data: this.parameters.get(info.name)!, dims: info.shape };
    Object.assign(tensors, toTensors(feeds));
  }

  private addMomentTensors(tensors: Record<string, ort.Tensor>): void {
    const feeds: Record<string, Feed> = {};
    for (const info of this.trainable) {
      const moments = this.moments.get(info.name)!;
      feeds[MomentInputs.m(info.name)] = { type: 'float32', data: moments.m, dims: info.shape };
      feeds[MomentInputs.v(info.name)] = { type: 'float32', data: moments.v, dims: info.shape };
    }
    Object.assign(tensors, toTensors(feeds));
  }

  /** AdamW's per-step scalars, from bias corrections computed in float64 (see adamStepScalars). */
  private adamScalars(step: number): Record<string, number> {
    const { optimizer } = this.options;
    const corrections = adamBiasCorrections(optimizer, step);
    const scalars: Record<string, number> = {};
    for (const group of new Set(this.trainable.map((info) => info.group))) {
      const settings = optimizer.groups[group];
      const values = adamStepScalars(optimizer, settings, corrections);
      const names = adamScalarInputs(group);
      scalars[ADAM_EPSILON_INPUT] = values.epsilon;
      scalars[names.stepSize] = values.stepSize;
      if (settings.weightDecay > 0) scalars[names.decay] = values.decay;
    }
    return scalars;
  }

}

function finiteLoss(loss: number, step: number): number {
  if (!Number.isFinite(loss)) throw new NumericalError(`onnx backend: the loss at step ${step} is ${loss}`, { source: 'backend-onnx' });
  return loss;
}
