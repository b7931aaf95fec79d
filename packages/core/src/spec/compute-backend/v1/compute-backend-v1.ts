import type { LossSettings } from '../../../losses/loss-settings.js';
import type { ModelDefinition } from '../../../model/model-definition.js';
import type { NamedWeights } from '../../../model/named-weights.js';
import type { ParameterGroup } from '../../../model/parameter-layout.js';
import type { OptimizerSettings } from '../../../optim/optimizer-settings.js';
import type { ComparisonBatchV1, ScoreRequestV1 } from './comparison-batch-v1.js';

/** What `doCreateModel` needs: the definition, starting weights in core's layout and the objective. */
export interface CreateModelOptionsV1 {
  definition: ModelDefinition;
  /** Initial weights in core's layout; `userLogits` has one row per user of this model. */
  weights: NamedWeights;
  optimizer: OptimizerSettings;
  loss: LossSettings;
  /** Groups updated by `doTrainStep`; the rest stay frozen (localisation trains `userWeights` only). */
  trainableGroups: ParameterGroup[];
}

/** Per-step inputs that core owns so that runs are reproducible on every engine. */
export interface TrainStepOptionsV1 {
  /** 1-based optimiser step, for Adam's bias correction. */
  step: number;
  /** Seed for this step's dropout masks. */
  seed: number;
}

/** A model living inside a backend. It owns its tensors; only plain numbers and arrays come out. */
export interface BackendModelV1 {
  /** Forward (training mode), backward and one AdamW update of the trainable groups; returns the loss before the update. */
  doTrainStep(batch: ComparisonBatchV1, options: TrainStepOptionsV1): Promise<{ loss: number }>;
  /**
   * Optional: several consecutive train steps in one call, for engines where a call has a fixed cost
   * (ONNX Runtime copies every output back to JS). Must equal calling `doTrainStep` for each batch in order.
   */
  doTrainSteps?(batches: ComparisonBatchV1[], options: TrainStepOptionsV1[]): Promise<{ losses: number[] }>;
  /**
   * Optional hint: each of these batches will be used by many calls while the model lives (localisation
   * trains hundreds of steps on one batch and evaluates one held-out batch). A backend may precompute
   * together what stays constant for them, e.g. frozen projections in one engine call. Results of every
   * call must be the same with or without it.
   */
  doPrepareBatches?(batches: ComparisonBatchV1[]): Promise<void>;
  /** Loss and logits r_left - r_right in evaluation mode (no dropout, no update). */
  doEvaluate(batch: ComparisonBatchV1): Promise<{ loss: number; logits: Float32Array }>;
  /** Loss and the gradient of every parameter in evaluation mode, without updating (used by the conformance kit). */
  doComputeGradients(batch: ComparisonBatchV1): Promise<{ loss: number; gradients: NamedWeights }>;
  /** Rewards r_i(x; x_c), one per request row. */
  doScore(request: ScoreRequestV1): Promise<Float32Array>;
  /** Current weights in core's layout. */
  doExportWeights(): Promise<NamedWeights>;
  /** Releases engine memory; the model is unusable afterwards. */
  doDispose(): Promise<void>;
}

/**
 * A compute engine for PAL (reference TypeScript, ONNX Runtime, TensorFlow.js, ...). Backends are passed
 * in by the user (`train({ backend: createOnnxBackend() })`), never registered by import.
 */
export interface ComputeBackendV1 {
  readonly specificationVersion: 'v1';
  /** Short name, e.g. `reference`, `onnx`, `tfjs`. */
  readonly name: string;
  /** Engine and device this backend runs on, for reports (e.g. `{ engine: 'tfjs-wasm', device: 'cpu' }`). */
  describe(): { engine: string; device: string };
  /** Builds a model; options the backend does not support come back as warnings. */
  doCreateModel(options: CreateModelOptionsV1): Promise<{ model: BackendModelV1; warnings: string[] }>;
}
