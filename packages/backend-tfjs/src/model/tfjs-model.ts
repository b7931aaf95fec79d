import {
  Random,
  USER_LOGITS,
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
import type { LoadedTfjsEngine } from '../engine/load-tfjs-engine.js';
import type { Tensor, TfjsModule, Variable } from '../engine/tfjs-module.js';
import { adamwUpdate, type AdamMoments } from './adamw-update.js';
import { assertSameLength } from './batch-tensors.js';
import { ModelDisposedError } from './model-disposed-error.js';
import { palAObjectiveGraph, palAScoreGraph } from './pal-a-graph.js';
import { palBObjectiveGraph, palBScoreGraph, type ObjectiveGraph } from './pal-b-graph.js';

/**
 * A PAL model held in tfjs variables. Every call runs inside tf.tidy and reads its results back into
 * plain arrays, so the live tensor count after a call equals the count before it.
 */
export class TfjsModel implements BackendModelV1 {
  private readonly tf: TfjsModule;
  private readonly layout: ParameterInfo[];
  private readonly trainable: ParameterInfo[];
  private readonly parameters = new Map<string, Variable>();
  private readonly moments = new Map<string, AdamMoments>();
  private disposed = false;

  private constructor(
    private readonly engine: LoadedTfjsEngine,
    private readonly options: CreateModelOptionsV1,
  ) {
    this.tf = engine.tf;
    const numUsers = options.weights[USER_LOGITS]?.shape[0] ?? 0;
    this.layout = parameterLayout(options.definition, numUsers);
    assertWeightsMatchLayout(options.weights, this.layout, 'tfjs backend weights');
    this.trainable = this.layout.filter((info) => options.trainableGroups.includes(info.group));
    for (const info of this.layout) {
      // A copy: on the cpu backend a tensor keeps the array it was made from, and the caller owns that one.
      this.parameters.set(info.name, this.tf.variable(this.tf.tensor(options.weights[info.name]!.data.slice(), info.shape, 'float32'), true));
    }
    for (const info of this.trainable) {
      this.moments.set(info.name, { m: this.tf.variable(this.tf.zeros(info.shape), false), v: this.tf.variable(this.tf.zeros(info.shape), false) });
    }
  }

  /** Builds a model on `engine`, making its backend active first. */
  static async create(engine: LoadedTfjsEngine, options: CreateModelOptionsV1): Promise<TfjsModel> {
    await activateBackend(engine);
    return new TfjsModel(engine, options);
  }

  async doTrainStep(batch: ComparisonBatchV1, options: TrainStepOptionsV1): Promise<{ loss: number }> {
    await this.prepare();
    assertBatch(batch);
    const random = new Random(options.seed);
    const nextSeed = () => random.nextUint32();
    const { tf } = this;
    const loss = tf.tidy(() => {
      if (this.trainable.length === 0) return this.objective(batch, nextSeed).loss;
      const variables = this.trainable.map((info) => this.parameters.get(info.name)!);
      const { value, grads } = tf.variableGrads(() => this.objective(batch, nextSeed).loss, variables);
      this.trainable.forEach((info, index) => {
        const gradient = grads[variables[index]!.name] ?? tf.zerosLike(variables[index]!);
        const group = this.options.optimizer.groups[info.group];
        adamwUpdate(tf, variables[index]!, gradient, this.moments.get(info.name)!, this.options.optimizer, group, options.step);
      });
      return value;
    });
    return { loss: await readScalar(loss) };
  }

  async doEvaluate(batch: ComparisonBatchV1): Promise<{ loss: number; logits: Float32Array }> {
    await this.prepare();
    assertBatch(batch);
    const result = this.tf.tidy(() => {
      const { loss, logits } = this.objective(batch);
      return [loss, logits];
    });
    const [loss, logits] = result as [Tensor, Tensor];
    return { loss: await readScalar(loss), logits: await readArray(logits) };
  }

  async doComputeGradients(batch: ComparisonBatchV1): Promise<{ loss: number; gradients: NamedWeights }> {
    await this.prepare();
    assertBatch(batch);
    const { tf } = this;
    const variables = this.layout.map((info) => this.parameters.get(info.name)!);
    const { value, grads } = tf.tidy(() => {
      const result = tf.variableGrads(() => this.objective(batch).loss, variables);
      // Parameters the loss does not reach get zeros, as in the reference engine.
      for (const variable of variables) result.grads[variable.name] ??= tf.zerosLike(variable);
      return result;
    });
    const gradients: NamedWeights = {};
    for (const [index, info] of this.layout.entries()) {
      gradients[info.name] = { shape: [...info.shape], data: await readArray(grads[variables[index]!.name]!) };
    }
    return { loss: await readScalar(value), gradients };
  }

  async doScore(request: ScoreRequestV1): Promise<Float32Array> {
    await this.prepare();
    assertSameLength({ user: request.user, promptIndex: request.promptIndex, itemIndex: request.itemIndex }, 'score request');
    const { tf } = this;
    const { definition } = this.options;
    const parameters = this.parameters as Map<string, Tensor>;
    const rewards = tf.tidy(() =>
      definition.kind === 'pal-a' ? palAScoreGraph(tf, definition, parameters, request) : palBScoreGraph(tf, definition, parameters, request),
    );
    return readArray(rewards);
  }

  async doExportWeights(): Promise<NamedWeights> {
    await this.prepare();
    const weights: NamedWeights = {};
    for (const info of this.layout) {
      // data() may hand back the backend's own buffer on cpu: copy it.
      weights[info.name] = { shape: [...info.shape], data: Float32Array.from(await this.parameters.get(info.name)!.data()) };
    }
    return weights;
  }

  async doDispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.parameters.values()) variable.dispose();
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.parameters.clear();
    this.moments.clear();
  }

  /** Loss and logits in training mode (with `nextSeed`, dropout on) or evaluation mode. Call inside tf.tidy. */
  private objective(batch: ComparisonBatchV1, nextSeed?: () => number): ObjectiveGraph {
    const { definition, loss } = this.options;
    const parameters = this.parameters as Map<string, Tensor>;
    return definition.kind === 'pal-a'
      ? palAObjectiveGraph(this.tf, definition, parameters, batch, loss, nextSeed)
      : palBObjectiveGraph(this.tf, definition, parameters, batch, loss, nextSeed);
  }

  private async prepare(): Promise<void> {
    if (this.disposed) throw new ModelDisposedError('the model was disposed: its tfjs variables are released; create a new one with doCreateModel', { source: 'backend-tfjs' });
    await activateBackend(this.engine);
  }
}

/** tfjs has one active backend per process; another model may have switched it since the last call. */
async function activateBackend(engine: LoadedTfjsEngine): Promise<void> {
  if (engine.tf.getBackend() !== engine.backendName) await engine.tf.setBackend(engine.backendName);
}

function assertBatch(batch: ComparisonBatchV1): void {
  assertSameLength(
    { label: batch.label, user: batch.user, promptIndex: batch.promptIndex, leftIndex: batch.leftIndex, rightIndex: batch.rightIndex, weight: batch.weight },
    'comparison batch',
  );
}

async function readScalar(tensor: Tensor): Promise<number> {
  try {
    return (await tensor.data())[0]!;
  } finally {
    tensor.dispose();
  }
}

async function readArray(tensor: Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from(await tensor.data());
  } finally {
    tensor.dispose();
  }
}
