import { z } from 'zod';
import { rewardHeadV1Schema } from '../spec/reward-head/v1/reward-head-v1.js';
import { parseOptions } from '../util/parse-options.js';
import { InvalidArgumentError } from '../errors/errors.js';
import { parseProjector, projectorStringSchema } from './projector-spec.js';

const dimension = z.number().int().positive();

/**
 * PAL-A (paper eq. 4-5): users are ideal points a_i = P w_i, mixtures of K prototypes in the input space,
 * and the reward is minus the distance between f(x) and f(a_i). When `promptDim` > 0 the model input is
 * the item embedding concatenated with the prompt embedding, the paper's f(x; x_c); with `promptDim` = 0
 * the item embedding is used alone (prompt and item encoded jointly upstream).
 */
export const palAModelDefinitionSchema = z.object({
  kind: z.literal('pal-a'),
  numPrototypes: dimension,
  itemDim: dimension,
  promptDim: z.number().int().nonnegative().default(0),
  latentDim: dimension,
  projector: projectorStringSchema.default('mlp1-gelu-dropout0'),
  head: z.enum(['squared-euclidean', 'euclidean']).default('squared-euclidean'),
});

/**
 * PAL-B (paper eq. 6-7): users are mixtures of K prompt mappings g_k; the reward is the scaled cosine
 * between the item's f(x) and z_i(x_c) = sum_k w_ik g_k(x_c).
 */
export const palBModelDefinitionSchema = z.object({
  kind: z.literal('pal-b'),
  numPrototypes: dimension,
  itemDim: dimension,
  promptDim: dimension,
  latentDim: dimension,
  itemProjector: projectorStringSchema.default('mlp1-gelu-dropout0'),
  promptProjector: projectorStringSchema.default('mlp1-gelu-dropout0'),
  head: z.literal('scaled-cosine').default('scaled-cosine'),
  /** Initial logit scale s = exp(l); CLIP's 1/0.07. */
  initialLogitScale: z.number().positive().default(1 / 0.07),
  /** s is clamped here (CLIP style) so the cosine logits cannot blow up. */
  maxLogitScale: z.number().positive().default(100),
});

export const modelDefinitionSchema = z.discriminatedUnion('kind', [palAModelDefinitionSchema, palBModelDefinitionSchema]);
export type PalAModelDefinition = z.output<typeof palAModelDefinitionSchema>;
export type PalBModelDefinition = z.output<typeof palBModelDefinitionSchema>;
export type ModelDefinition = z.output<typeof modelDefinitionSchema>;
export type ModelDefinitionInput = z.input<typeof modelDefinitionSchema>;

/** Validates a model definition, fills defaults and checks that residual projectors keep their width. */
export function parseModelDefinition(input: ModelDefinitionInput | unknown): ModelDefinition {
  const definition = parseOptions(modelDefinitionSchema, input, 'model definition');
  const projectors =
    definition.kind === 'pal-a'
      ? [['projector', definition.projector, definition.itemDim + definition.promptDim] as const]
      : [
          ['itemProjector', definition.itemProjector, definition.itemDim] as const,
          ['promptProjector', definition.promptProjector, definition.promptDim] as const,
        ];
  for (const [field, text, inputDim] of projectors) {
    const spec = parseProjector(text);
    if (spec.residual && inputDim !== definition.latentDim) {
      throw new InvalidArgumentError(
        `invalid model definition: ${field} "${text}" is residual, so its input width ${inputDim} must equal latentDim, found latentDim ${definition.latentDim}`,
      );
    }
  }
  return definition;
}
