import { createMatrix, type Matrix } from '../data/matrix.js';
import { DimensionMismatchError, InvalidPreferenceDataError, UnknownUserError } from '../errors/errors.js';
import { lossSettingsSchema } from '../losses/loss-settings.js';
import { optimizerSettingsSchema } from '../optim/optimizer-settings.js';
import type { PalModel } from '../model/pal-model.js';
import { createReferenceBackend } from '../engine/reference/reference-backend.js';
import type { BackendModelV1, ComputeBackendV1 } from '../spec/compute-backend/v1/compute-backend-v1.js';

/** An embedding given as a plain array or a Float32Array. */
export type EmbeddingInput = ArrayLike<number>;

/**
 * Scores with a trained model: rewards r_i(x; x_c) and preference probabilities for known users. Runs on
 * the reference engine unless another backend is given; call `dispose()` when done.
 */
export class RewardModel {
  private backendModel: Promise<BackendModelV1> | undefined;
  private readonly userIndex: Map<string, number>;

  constructor(
    readonly model: PalModel,
    private readonly backend: ComputeBackendV1 = createReferenceBackend(),
  ) {
    this.userIndex = new Map(model.userIds.map((id, index) => [id, index]));
  }

  /** Reward of `item` for `userId` in context `prompt` (prompt may be empty for prompt-free PAL-A). */
  async score(userId: string, prompt: EmbeddingInput, item: EmbeddingInput): Promise<number> {
    return (await this.scoreBatch([userId], [prompt], [item]))[0]!;
  }

  /** Rewards of many (user, prompt, item) triples in one engine call. */
  async scoreBatch(userIds: string[], prompts: EmbeddingInput[], items: EmbeddingInput[]): Promise<Float32Array> {
    const { definition } = this.model;
    if (prompts.length !== userIds.length || items.length !== userIds.length) {
      throw new DimensionMismatchError(`scoreBatch: expected as many prompts and items as users (${userIds.length}), found ${prompts.length} prompts and ${items.length} items`);
    }
    const user = Int32Array.from(userIds, (id) => this.indexOf(id));
    const promptMatrix = toMatrix(prompts, definition.promptDim, 'prompt', definition.promptDim === 0);
    const itemMatrix = toMatrix(items, definition.itemDim, 'item', false);
    const identity = Int32Array.from(userIds, (_, index) => index);
    const model = await this.engine();
    return model.doScore({ prompts: promptMatrix, items: itemMatrix, promptIndex: identity, itemIndex: identity, user });
  }

  /** Probability that `userId` prefers `left` over `right`, sigma(r_left - r_right) (Bradley-Terry link). */
  async preferenceProbability(userId: string, prompt: EmbeddingInput, left: EmbeddingInput, right: EmbeddingInput): Promise<number> {
    const [leftReward, rightReward] = await this.scoreBatch([userId, userId], [prompt, prompt], [left, right]);
    return 1 / (1 + Math.exp(-(leftReward! - rightReward!)));
  }

  /** Releases the engine's model. */
  async dispose(): Promise<void> {
    const model = await this.backendModel;
    this.backendModel = undefined;
    await model?.doDispose();
  }

  private indexOf(userId: string): number {
    const index = this.userIndex.get(userId);
    if (index === undefined) {
      throw new UnknownUserError(`user "${userId}" is not in this model (${this.model.userIds.length} users); localise them with localize() or add them zero-shot with addZeroShotUsers()`);
    }
    return index;
  }

  private engine(): Promise<BackendModelV1> {
    this.backendModel ??= this.backend
      .doCreateModel({
        definition: this.model.definition,
        weights: this.model.weights,
        optimizer: optimizerSettingsSchema.parse({}),
        loss: lossSettingsSchema.parse({}),
        trainableGroups: [],
      })
      .then((created) => created.model);
    return this.backendModel;
  }
}

function toMatrix(rows: EmbeddingInput[], width: number, what: string, allowEmpty: boolean): Matrix {
  const cols = allowEmpty ? Math.max(0, ...rows.map((row) => row.length)) : width;
  const matrix = createMatrix(rows.length, cols);
  rows.forEach((row, index) => {
    if (row.length !== cols) {
      throw new DimensionMismatchError(`${what} ${index}: expected an embedding of ${cols} values, found ${row.length}`);
    }
    for (let col = 0; col < cols; col++) {
      const value = row[col]!;
      if (!Number.isFinite(value)) throw new InvalidPreferenceDataError(`${what} ${index}, value ${col}: expected a finite number, found ${value}`);
      matrix.data[index * cols + col] = value;
    }
  });
  return matrix;
}

/** Creates a RewardModel for a trained model (reference engine unless `backend` is given). */
export function createRewardModel(model: PalModel, backend?: ComputeBackendV1): RewardModel {
  return new RewardModel(model, backend);
}
