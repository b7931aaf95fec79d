import { Random } from '../random/random.js';
import type { ModelDefinition } from './model-definition.js';
import type { NamedWeights } from './named-weights.js';
import { LOG_LOGIT_SCALE, PROTOTYPES, USER_LOGITS, parameterLayout } from './parameter-layout.js';

/**
 * Seeded initial weights. Core initialises so that every backend starts from the same point:
 * Linear layers as PyTorch does (uniform in +-1/sqrt(fan_in) for weight and bias), PAL-A prototypes
 * N(0, I) scaled to unit norm, user logits N(0, I), and the PAL-B log scale at ln(initialLogitScale).
 */
export function initializeWeights(definition: ModelDefinition, numUsers: number, seed: number): NamedWeights {
  const random = new Random(seed);
  const weights: NamedWeights = {};
  for (const info of parameterLayout(definition, numUsers)) {
    const size = info.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (info.name === USER_LOGITS) {
      for (let index = 0; index < size; index++) data[index] = random.normal();
    } else if (info.name === PROTOTYPES) {
      const [rows, cols] = info.shape as [number, number];
      for (let row = 0; row < rows; row++) {
        let norm = 0;
        for (let col = 0; col < cols; col++) {
          const value = random.normal();
          data[row * cols + col] = value;
          norm += value * value;
        }
        norm = Math.sqrt(norm) || 1;
        for (let col = 0; col < cols; col++) data[row * cols + col]! /= norm;
      }
    } else if (info.name === LOG_LOGIT_SCALE) {
      data[0] = definition.kind === 'pal-b' ? Math.log(definition.initialLogitScale) : 0;
    } else {
      // Linear weight [out, in] or bias [out]; both use the fan-in of the layer.
      const fanIn = info.shape.length === 2 ? info.shape[1]! : fanInOfBias(definition, info.name, numUsers);
      const bound = 1 / Math.sqrt(fanIn);
      for (let index = 0; index < size; index++) data[index] = (random.uniform() * 2 - 1) * bound;
    }
    weights[info.name] = { shape: info.shape, data };
  }
  return weights;
}

/** New users' logits, drawn N(0, I) as the authors do for unseen users. */
export function initializeUserLogits(numUsers: number, numPrototypes: number, seed: number): Float32Array {
  const random = new Random(seed);
  const data = new Float32Array(numUsers * numPrototypes);
  for (let index = 0; index < data.length; index++) data[index] = random.normal();
  return data;
}

function fanInOfBias(definition: ModelDefinition, biasName: string, numUsers: number): number {
  const weightName = biasName.replace(/\.bias$/, '.weight');
  const weight = parameterLayout(definition, numUsers).find((info) => info.name === weightName);
  return weight ? weight.shape[1]! : 1;
}
