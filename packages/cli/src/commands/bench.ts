import type { Command } from 'commander';
import { randomComparisonBatch, train, type EmbeddedComparisons } from '@pal/core';
import { UsageError } from '../cli-errors.js';
import type { Output } from '../output/output.js';
import { AUTO_BACKEND_ORDER, loadBackend, type ConcreteBackendName } from '../plugins/backends.js';
import { addOutputOptions, positiveInteger, type CommonOptions } from './common-options.js';

interface BenchOptions extends CommonOptions {
  comparisons?: number;
  epochs?: number;
}

/** Random comparisons shaped like the quickstart's: 1024-wide hashed prompts, two items, 100 users. */
function benchData(count: number): EmbeddedComparisons {
  const batch = randomComparisonBatch({ seed: 7, count, numUsers: 100, itemDim: 1024, promptDim: 1024, items: 2, prompts: Math.min(count, 4000) });
  return { prompts: batch.prompts, items: batch.items, promptIndex: batch.promptIndex, leftIndex: batch.leftIndex, rightIndex: batch.rightIndex, user: batch.user, label: batch.label, userIds: Array.from({ length: 100 }, (_, index) => `user-${index}`) };
}

/** `pal bench`: training throughput of each installed backend on the quickstart's model shape. */
async function runBench(options: BenchOptions, output: Output): Promise<void> {
  const requested = options.backend === undefined || options.backend === 'all' ? AUTO_BACKEND_ORDER : options.backend.split(',').map((name) => name.trim());
  for (const name of requested) {
    if (!(AUTO_BACKEND_ORDER as string[]).includes(name)) throw new UsageError(`unknown backend "${name}": expected all or a list of ${AUTO_BACKEND_ORDER.join(', ')}`, { source: 'cli' });
  }
  const count = options.comparisons ?? 8192;
  const epochs = options.epochs ?? 2;
  const data = benchData(count);
  const rows: { backend: string; available: boolean; comparisonsPerSecond?: number; secondsPerEpoch?: number; reason?: string }[] = [];
  for (const name of requested as ConcreteBackendName[]) {
    let backend;
    try {
      backend = await loadBackend(name);
    } catch (error) {
      rows.push({ backend: name, available: false, reason: (error as Error).message });
      continue;
    }
    const bar = output.progress(`bench ${name}`, epochs);
    const started = Date.now();
    await train({
      backend,
      definition: { kind: 'pal-b', numPrototypes: 4, itemDim: 1024, promptDim: 1024, latentDim: 16, itemProjector: 'mlp0-linear-dropout0', promptProjector: 'mlp0-linear-dropout0' },
      train: data,
      options: { epochs, batchSize: 256, seed: 0 },
      onProgress: (progress) => {
        if (progress.kind === 'epoch') bar.update(progress.epoch);
      },
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    rows.push({ backend: name, available: true, comparisonsPerSecond: Math.round((count * epochs) / seconds), secondsPerEpoch: Number((seconds / epochs).toFixed(3)) });
  }
  output.result(
    { workload: { model: 'PAL-B K = 4, 1024 -> 16 linear projectors', comparisons: count, epochs, batchSize: 256 }, results: rows },
    [
      `training throughput, PAL-B K = 4 (1024 -> 16), ${count} comparisons x ${epochs} epochs, batch 256:`,
      ...rows.map((row) => (row.available ? `  ${row.backend.padEnd(10)} ${String(row.comparisonsPerSecond).padStart(8)} comparisons/s` : `  ${row.backend.padEnd(10)} not available: ${row.reason}`)),
    ].join('\n'),
  );
}

/** Registers `pal bench`. */
export function registerBench(program: Command, run: (work: (output: Output) => Promise<void>, options: CommonOptions) => Promise<void>): void {
  addOutputOptions(program.command('bench').description('training throughput of each installed backend (a benchmark, not a test)'))
    .option('--backend <names>', 'all (default) or a comma-separated list of onnx, tfjs, reference')
    .option('--comparisons <number>', 'comparisons per epoch (default 8192)', positiveInteger)
    .option('--epochs <number>', 'epochs (default 2)', positiveInteger)
    .action(async (options: BenchOptions) => run((output) => runBench(options, output), options));
}
