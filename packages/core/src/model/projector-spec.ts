import { z } from 'zod';
import { InvalidArgumentError } from '../errors/errors.js';

export const activationSchema = z.enum(['relu', 'gelu', 'linear']);
export type Activation = z.infer<typeof activationSchema>;

/** A parsed projector string `mlpN-ACT-dropoutP[-residual]`. */
export interface ProjectorSpec {
  /** Hidden layers; the MLP has `hiddenLayers + 1` Linear layers. */
  hiddenLayers: number;
  activation: Activation;
  /** Drop probability, e.g. `dropout5` = 0.5. */
  dropout: number;
  residual: boolean;
}

const projectorPattern = /^mlp(\d+)-(relu|gelu|linear)-dropout(\d+)(-residual)?$/;

/**
 * Parses the authors' projector notation. `mlpN` is N blocks Linear -> Dropout -> ACT followed by a final
 * Linear, so mlp2 has three Linear layers; `dropoutP` reads P as a decimal fraction (dropout5 = 0.5,
 * dropout25 = 0.25).
 */
export function parseProjector(text: string): ProjectorSpec {
  const match = projectorPattern.exec(text);
  if (!match) {
    throw new InvalidArgumentError(
      `projector "${text}": expected mlpN-ACT-dropoutP[-residual] with ACT in relu, gelu, linear (e.g. mlp2-gelu-dropout0)`,
    );
  }
  const digits = match[3]!;
  return {
    hiddenLayers: Number(match[1]),
    activation: match[2] as Activation,
    dropout: Number(`0.${digits}`) === 0 ? 0 : Number(`0.${digits}`),
    residual: match[4] !== undefined,
  };
}

export const projectorStringSchema = z.string().refine((text) => projectorPattern.test(text), {
  message: 'expected mlpN-ACT-dropoutP[-residual] with ACT in relu, gelu, linear (e.g. mlp2-gelu-dropout0)',
});
