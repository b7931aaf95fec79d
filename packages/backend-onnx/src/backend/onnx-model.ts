import type * as ort from 'onnxruntime-node';
import {
  InvalidArgumentError,
  NumericalError,
  USER_LOGITS,
  adamBiasCorrections,
  assertWeightsMatchLayout,
  parameterLayout,
  type BackendModelV1,
  type ComparisonBatchV1,
  type CreateModelOptionsV1,
  type NamedWeights,
  type ParameterInfo,
  type ScoreRequestV1,
  type TrainStepOptionsV1,
} from '@pal/core';
import { ADAM_EPSILON_INPUT, adamScalarInputs } from '../model/adamw-graph.js';
import {
  MomentInputs,
  Outputs,
  buildEvaluateGraph,
  buildGradientGraph,
  buildScoreGraph,
  buildTrainGraph,
  type SessionGraph,
} from '../model/session-graphs.js';
import { dropoutMaskFeeds, objectiveFeeds, scoreFeeds, type Feed } from './batch-feeds.js';
import { createSession, runSession, scalarTensor, toTensors, type RuntimeSettings } from './session-runner.js';

type SessionKind = 'train' | 'evaluate' | 'gradients' | 'score';

interface LoadedSession {
  session: ort.InferenceSession;
  graph: SessionGraph;
}

/**
 * A PAL model living in ONNX Runtime. Parameters and Adam moments stay in JS float32 arrays that are
 * wrapped (not copied) as inputs; each graph kind (train step, evaluation, gradients, scoring) is built
 * once from the definition and compiled into a session on first use.
 */
export class OnnxModel implements BackendModelV1 {
  private readonly layout: ParameterInfo[];
  private readonly trainable: ParameterInfo[];
  private readonly numUsers: number;
  private parameters = new Map<string, Float32Array>();
  private moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  private readonly sessions = new Map<SessionKind, Promise<LoadedSession>>();
  private disposed = false;

  constructor(
    private readonly options: CreateModelOptionsV1,
    private readonly runtime: RuntimeSettings,
  ) {
    this.numUsers = options.weights[USER_LOGITS]?.shape[0] ?? 0;
    this.layout = parameterLayout(options.definition, this.numUsers);
    assertWeightsMatchLayout(options.weights, this.layout, 'onnx backend weights');
    this.trainable = this.layout.filter((info) => options.trainableGroups.includes(info.group));
    for (const info of this.layout) this.parameters.set(info.name, options.weights[info.name]!.data.slice());
    for (const info of this.trainable) {
      const size = this.parameters.get(info.name)!.length;
      this.moments.set(info.name, { m: new Float32Array(size), v: new Float32Array(size) });
    }
  }

  async doTrainStep(batch: ComparisonBatchV1, options: TrainStepOptionsV1): Promise<{ loss: number }> {
    if (this.trainable.length === 0) throw new InvalidArgumentError('onnx backend: doTrainStep needs at least one trainable parameter group');
    const { session, graph } = await this.load('train');
    const { feeds, counts } = objectiveFeeds(this.options.definition, this.options.loss, batch);
    const tensors = toTensors({ ...feeds, ...dropoutMaskFeeds(graph.masks, counts, options.seed) });
    this.addParameterTensors(tensors);
    this.addOptimizerTensors(tensors, options.step);
    const outputs = await runSession(session, tensors);
    for (const info of this.trainable) {
      this.parameters.set(info.name, outputs[Outputs.parameter(info.name)]!);
      this.moments.set(info.name, { m: outputs[Outputs.m(info.name)]!, v: outputs[Outputs.v(info.name)]! });
    }
    return { loss: finiteLoss(outputs[Outputs.loss]![0]!, options.step) };
  }

  async doEvaluate(batch: ComparisonBatchV1): Promise<{ loss: number; logits: Float32Array }> {
    const { session } = await this.load('evaluate');
    const tensors = toTensors(objectiveFeeds(this.options.definition, this.options.loss, batch).feeds);
    this.addParameterTensors(tensors);
    const outputs = await runSession(session, tensors);
    return { loss: outputs[Outputs.loss]![0]!, logits: outputs[Outputs.logits]! };
  }

  async doComputeGradients(batch: ComparisonBatchV1): Promise<{ loss: number; gradients: NamedWeights }> {
    const { session } = await this.load('gradients');
    const tensors = toTensors(objectiveFeeds(this.options.definition, this.options.loss, batch).feeds);
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
    const weights: NamedWeights = {};
    for (const info of this.layout) weights[info.name] = { shape: [...info.shape], data: this.parameters.get(info.name)!.slice() };
    return weights;
  }

  async doDispose(): Promise<void> {
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const loading of sessions) {
      const loaded = await loading.catch(() => undefined);
      await loaded?.session.release();
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
      const graph = this.buildGraph(kind);
      loading = createSession(graph.bytes, this.runtime).then((session) => ({ session, graph }));
      this.sessions.set(kind, loading);
    }
    return loading;
  }

  private buildGraph(kind: SessionKind): SessionGraph {
    const { definition, loss, optimizer } = this.options;
    const base = { definition, loss, numUsers: this.numUsers };
    switch (kind) {
      case 'train':
        return buildTrainGraph({ ...base, optimizer, trainable: this.trainable });
      case 'evaluate':
        return buildEvaluateGraph(base);
      case 'gradients':
        return buildGradientGraph(base);
      case 'score':
        return buildScoreGraph(base);
    }
  }

  private addParameterTensors(tensors: Record<string, ort.Tensor>): void {
    const feeds: Record<string, Feed> = {};
    for (const info of this.layout) feeds[info.name] = { type: 'float32', data: this.parameters.get(info.name)!, dims: info.shape };
    Object.assign(tensors, toTensors(feeds));
  }

  private addOptimizerTensors(tensors: Record<string, ort.Tensor>, step: number): void {
    const { optimizer } = this.options;
    const feeds: Record<string, Feed> = {};
    for (const info of this.trainable) {
      const moments = this.moments.get(info.name)!;
      feeds[MomentInputs.m(info.name)] = { type: 'float32', data: moments.m, dims: info.shape };
      feeds[MomentInputs.v(info.name)] = { type: 'float32', data: moments.v, dims: info.shape };
    }
    Object.assign(tensors, toTensors(feeds));
    const { correction1, correction2 } = adamBiasCorrections(optimizer, step);
    const sqrtCorrection2 = Math.sqrt(correction2);
    tensors[ADAM_EPSILON_INPUT] = scalarTensor(optimizer.epsilon * sqrtCorrection2);
    for (const group of new Set(this.trainable.map((info) => info.group))) {
      const { learningRate, weightDecay } = optimizer.groups[group];
      const names = adamScalarInputs(group);
      tensors[names.stepSize] = scalarTensor((learningRate * sqrtCorrection2) / correction1);
      if (weightDecay > 0) tensors[names.decay] = scalarTensor(1 - learningRate * weightDecay);
    }
  }
}

function finiteLoss(loss: number, step: number): number {
  if (!Number.isFinite(loss)) throw new NumericalError(`onnx backend: the loss at step ${step} is ${loss}`, { source: 'backend-onnx' });
  return loss;
}
