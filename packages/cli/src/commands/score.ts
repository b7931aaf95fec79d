import type { Command } from 'commander';
import { createRewardModel, InvalidCheckpointError, matrixRow } from '@pal/core';
import { hashingEncoderConfigSchema, type CliConfig } from '../config/config-schema.js';
import type { Output } from '../output/output.js';
import { resolveBackend } from '../plugins/backends.js';
import { createEncoder } from '../plugins/encoders.js';
import { loadModel } from '../run/load-model.js';
import { addOutputOptions, type CommonOptions } from './common-options.js';

interface ScoreOptions extends CommonOptions {
  checkpoint: string;
  user: string;
  prompt?: string;
  item: string[];
}

/** `pal score`: rewards r_user(item; prompt) of a checkpoint, embedding the texts with the encoder it was trained with. */
async function runScore(options: ScoreOptions, output: Output): Promise<void> {
  const { model, manifest } = await loadModel(options.checkpoint);
  const stored = manifest.provenance.encoder;
  if (stored === undefined) {
    throw new InvalidCheckpointError(`checkpoint ${options.checkpoint}: provenance has no "encoder" settings (it was not trained on text by the pal command), so texts cannot be embedded for it`, { source: 'cli' });
  }
  const encoderConfig = (hashingEncoderConfigSchema.safeParse(stored).success ? hashingEncoderConfigSchema.parse(stored) : stored) as CliConfig['encoder'];
  const encoder = await createEncoder(encoderConfig);
  const prompt = options.prompt ?? '';
  const { embeddings } = await encoder.doEncode([prompt, ...options.item]);
  const backend = await resolveBackend(options.backend ?? 'reference');
  const rewardModel = createRewardModel(model, backend.backend);
  try {
    const promptEmbedding = model.definition.promptDim > 0 ? matrixRow(embeddings, 0) : new Float32Array(0);
    const rewards = await rewardModel.scoreBatch(
      options.item.map(() => options.user),
      options.item.map(() => promptEmbedding),
      options.item.map((_, index) => matrixRow(embeddings, index + 1)),
    );
    const scores = options.item.map((item, index) => ({ item, reward: rewards[index]! }));
    output.result({ user: options.user, prompt, scores }, scores.map((score) => `${score.reward.toFixed(4).padStart(10)}  ${score.item}`).join('\n'));
  } finally {
    await rewardModel.dispose();
  }
}

/** Registers `pal score`. */
export function registerScore(program: Command, run: (work: (output: Output) => Promise<void>, options: CommonOptions) => Promise<void>): void {
  addOutputOptions(program.command('score').description('reward of one or more responses for a user (texts are embedded with the encoder the checkpoint was trained with)'))
    .requiredOption('--checkpoint <dir>', 'checkpoint directory, e.g. runs/quickstart/checkpoint')
    .requiredOption('--user <id>', 'user id (seen in training or localised)')
    .option('--prompt <text>', 'the prompt / context')
    .requiredOption('--item <text...>', 'one or more responses to score')
    .option('--backend <name>', 'compute backend (default: reference, fastest to start)')
    .action(async (options: ScoreOptions) => run((output) => runScore(options, output), options));
}
