import { describe, expect, it } from 'vitest';
import { parseModelDefinition, type ModelDefinitionInput } from '../../model/model-definition.js';
import { initializeWeights } from '../../model/initialize-weights.js';
import { parameterLayout, PROTOTYPES } from '../../model/parameter-layout.js';
import { lossSettingsSchema, type LossSettingsInput } from '../../losses/loss-settings.js';
import { randomComparisonBatch } from '../../synthetic/random-comparison-batch.js';
import { Random } from '../../random/random.js';
import type { ParameterStore } from './mlp.js';
import { palAObjective } from './pal-a-objective.js';
import { palBObjective } from './pal-b-objective.js';

interface GradientCase {
  name: string;
  definition: ModelDefinitionInput;
  loss?: LossSettingsInput;
  dropoutSeed?: number;
  weighted?: boolean;
  scalePrototypes?: number;
}

const cases: GradientCase[] = [
  { name: 'PAL-B logistic', definition: { kind: 'pal-b', numPrototypes: 3, itemDim: 5, promptDim: 4, latentDim: 6, itemProjector: 'mlp1-gelu-dropout0', promptProjector: 'mlp2-relu-dropout0' } },
  { name: 'PAL-B hinge, residual', definition: { kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 6, latentDim: 6, itemProjector: 'mlp1-gelu-dropout0-residual', promptProjector: 'mlp1-gelu-dropout0-residual' }, loss: { kind: 'hinge' } },
  { name: 'PAL-B smoothed hinge, per-user weights, K = 1', definition: { kind: 'pal-b', numPrototypes: 1, itemDim: 5, promptDim: 3, latentDim: 4, itemProjector: 'mlp0-linear-dropout0', promptProjector: 'mlp1-linear-dropout0' }, loss: { kind: 'smoothed-hinge', weighting: 'per-user' }, weighted: true },
  { name: 'PAL-B bound loss, dropout', definition: { kind: 'pal-b', numPrototypes: 2, itemDim: 4, promptDim: 4, latentDim: 5, itemProjector: 'mlp1-gelu-dropout3', promptProjector: 'mlp1-gelu-dropout25' }, loss: { bound: { weight: 0.7, bound: 0.3 } }, dropoutSeed: 11 },
  { name: 'PAL-A squared, item only', definition: { kind: 'pal-a', numPrototypes: 3, itemDim: 5, latentDim: 4, projector: 'mlp1-gelu-dropout0' } },
  { name: 'PAL-A euclidean hinge, with prompt', definition: { kind: 'pal-a', numPrototypes: 2, itemDim: 3, promptDim: 2, latentDim: 4, projector: 'mlp2-relu-dropout0', head: 'euclidean' }, loss: { kind: 'smoothed-hinge' } },
  { name: 'PAL-A residual, bound loss, per-user weights', definition: { kind: 'pal-a', numPrototypes: 3, itemDim: 4, latentDim: 4, projector: 'mlp1-gelu-dropout0-residual' }, loss: { bound: { weight: 1, bound: 0.5 } }, weighted: true, scalePrototypes: 2 },
  { name: 'PAL-A hinge, dropout', definition: { kind: 'pal-a', numPrototypes: 2, itemDim: 4, latentDim: 3, projector: 'mlp1-gelu-dropout2' }, loss: { kind: 'hinge' }, dropoutSeed: 5 },
];

describe('reference engine gradients', () => {
  for (const testCase of cases) {
    it(`should match finite differences for every parameter group: ${testCase.name}`, () => {
      const definition = parseModelDefinition(testCase.definition);
      const loss = lossSettingsSchema.parse(testCase.loss ?? {});
      const numUsers = 4;
      const weights = initializeWeights(definition, numUsers, 3);
      const parameters: ParameterStore = new Map();
      for (const [name, tensor] of Object.entries(weights)) parameters.set(name, Float64Array.from(tensor.data));
      if (testCase.scalePrototypes) parameters.get(PROTOTYPES)!.forEach((value, index, array) => (array[index] = value * testCase.scalePrototypes!));
      const batch = randomComparisonBatch({ seed: 7, count: 12, numUsers, itemDim: definition.itemDim, promptDim: definition.promptDim, items: 6, prompts: 4, weighted: testCase.weighted });
      // Scale inputs down so hinge kinks and ReLU corners are rarely within the finite-difference step.
      const evaluate = (gradients?: ParameterStore) => {
        const random = testCase.dropoutSeed === undefined ? undefined : new Random(testCase.dropoutSeed);
        return definition.kind === 'pal-a'
          ? palAObjective(definition, parameters, batch, loss, { random, gradients }).loss
          : palBObjective(definition, parameters, batch, loss, { random, gradients }).loss;
      };
      const gradients: ParameterStore = new Map([...parameters].map(([name, values]) => [name, new Float64Array(values.length)]));
      evaluate(gradients);
      const step = 1e-6;
      const groupsSeen = new Set<string>();
      for (const info of parameterLayout(definition, numUsers)) {
        const values = parameters.get(info.name)!;
        const analytic = gradients.get(info.name)!;
        let maxError = 0;
        let maxMagnitude = 0;
        for (let index = 0; index < values.length; index++) {
          const original = values[index]!;
          values[index] = original + step;
          const plus = evaluate();
          values[index] = original - step;
          const minus = evaluate();
          values[index] = original;
          const numeric = (plus - minus) / (2 * step);
          maxError = Math.max(maxError, Math.abs(numeric - analytic[index]!));
          maxMagnitude = Math.max(maxMagnitude, Math.abs(numeric));
        }
        expect(maxError, `${info.name}: max |numeric - analytic| (max |numeric| ${maxMagnitude})`).toBeLessThan(1e-6 + 1e-5 * maxMagnitude);
        if (maxMagnitude > 0) groupsSeen.add(info.group);
      }
      const expectedGroups = definition.kind === 'pal-a' ? ['projectors', 'prototypes', 'userWeights'] : definition.numPrototypes > 1 ? ['projectors', 'logitScale', 'userWeights'] : ['projectors', 'logitScale'];
      for (const group of expectedGroups) expect(groupsSeen, `group ${group} has a non-zero gradient`).toContain(group);
    });
  }
});
