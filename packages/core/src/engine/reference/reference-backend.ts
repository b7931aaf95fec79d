import type { ComputeBackendV1, BackendModelV1, CreateModelOptionsV1, TrainStepOptionsV1 } from '../../spec/compute-backend/v1/compute-backend-v1.js';
import type { ComparisonBatchV1, ScoreRequestV1 } from '../../spec/compute-backend/v1/comparison-batch-v1.js';
import { assertWeightsMatchLayout, parameterLayout, USER_LOGITS, type ParameterInfo } from '../../model/parameter-layout.js';
import type { NamedWeights } from '../../model/named-weights.js';
import { Random } from '../../random/random.js';
import { adamwUpdate, type AdamState } from '../../optim/adamw.js';
import type { ParameterStore } from './mlp.js';
import { palAObjective, palAScore } from './pal-a-objective.js';
import { palBObjective, palBScore, type ObjectiveResult } from './pal-b-objective.js';

/**
 * The reference engine: PAL-A and PAL-B in plain TypeScript with float64 arithmetic and analytic
 * gradients. It is the numerical oracle every other backend is checked against, and enough to score
 * with a checkpoint when nothing else is installed.
 */
export function createReferenceBackend(): ComputeBackendV1 {
  return {
    specificationVersion: 'v1',
    name: 'reference',
    describe: () => ({ engine: 'reference-typescript', device: 'cpu' }),
    doCreateModel: async (options) => ({ model: new ReferenceModel(options), warnings: [] }),
  };
}

class ReferenceModel implements BackendModelV1 {
  private readonly layout: ParameterInfo[];
  private readonly parameters: ParameterStore = new Map();
  private readonly adam = new Map<string, AdamState>();

  constructor(private readonly options: CreateModelOptionsV1) {
    const numUsers = options.weights[USER_LOGITS]?.shape[0] ?? 0;
    this.layout = parameterLayout(options.definition, numUsers);
    assertWeightsMatchLayout(options.weights, this.layout, 'reference backend weights');
    for (const info of this.layout) {
      const values = Float64Array.from(options.weights[info.name]!.data);
      this.parameters.set(info.name, values);
      this.adam.set(info.name, { m: new Float64Array(values.length), v: new Float64Array(values.length) });
    }
  }

  private run(batch: ComparisonBatchV1, random: Random | undefined, gradients: ParameterStore | undefined): ObjectiveResult {
    const { definition, loss } = this.options;
    return definition.kind === 'pal-a'
      ? palAObjective(definition, this.parameters, batch, loss, { random, gradients })
      : palBObjective(definition, this.parameters, batch, loss, { random, gradients });
  }

  private zeroGradients(): ParameterStore {
    const gradients: ParameterStore = new Map();
    for (const [name, values] of this.parameters) gradients.set(name, new Float64Array(values.length));
    return gradients;
  }

  async doTrainStep(batch: ComparisonBatchV1, options: TrainStepOptionsV1): Promise<{ loss: number }> {
    const gradients = this.zeroGradients();
    const result = this.run(batch, new Random(options.seed), gradients);
    for (const info of this.layout) {
      if (!this.options.trainableGroups.includes(info.group)) continue;
      adamwUpdate(this.parameters.get(info.name)!, gradients.get(info.name)!, this.adam.get(info.name)!, this.options.optimizer, this.options.optimizer.groups[info.group], options.step);
    }
    return { loss: result.loss };
  }

  async doEvaluate(batch: ComparisonBatchV1): Promise<{ loss: number; logits: Float32Array }> {
    const result = this.run(batch, undefined, undefined);
    return { loss: result.loss, logits: Float32Array.from(result.logits) };
  }

  async doComputeGradients(batch: ComparisonBatchV1): Promise<{ loss: number; gradients: NamedWeights }> {
    const gradients = this.zeroGradients();
    const result = this.run(batch, undefined, gradients);
    return { loss: result.loss, gradients: this.toNamedWeights(gradients) };
  }

  async doScore(request: ScoreRequestV1): Promise<Float32Array> {
    const { definition } = this.options;
    const rewards = definition.kind === 'pal-a' ? palAScore(definition, this.parameters, request) : palBScore(definition, this.parameters, request);
    return Float32Array.from(rewards);
  }

  async doExportWeights(): Promise<NamedWeights> {
    return this.toNamedWeights(this.parameters);
  }

  async doDispose(): Promise<void> {
    this.parameters.clear();
    this.adam.clear();
  }

  private toNamedWeights(store: ParameterStore): NamedWeights {
    const weights: NamedWeights = {};
    for (const info of this.layout) weights[info.name] = { shape: [...info.shape], data: Float32Array.from(store.get(info.name)!) };
    return weights;
  }
}
