import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  initializeWeights,
  lossSettingsSchema,
  optimizerSettingsSchema,
  parameterGroupSchema,
  parseModelDefinition,
  randomComparisonBatch,
  type PalBModelDefinition,
} from '@pal/core';
import { tfjsEngineNames, type TfjsEngineName } from '../engine/tfjs-module.js';
import { createTfjsBackend } from '../tfjs-backend.js';

/**
 * `pnpm bench` for the tfjs backend: AdamW training steps of PAL-B, d = 1024, K = 2, mlp2-gelu-dropout0 on
 * random embeddings (the ONNX backend's workload), at batch 256 and 4096, on every tfjs engine installed.
 * Each engine runs in its own process so that its peak RSS is its own, within a time budget: a batch size
 * whose projected steps do not fit is reported with its projected step time instead. Environment
 * overrides: PAL_BENCH_ENGINES and PAL_BENCH_BATCHES (comma lists), PAL_BENCH_STEPS (most timed steps per
 * batch, default 3), PAL_BENCH_BUDGET_SECONDS (per engine, default 150).
 */

const DIMENSION = 1024;
const PROTOTYPES = 2;
const USERS = 100;
const PROJECTOR = 'mlp2-gelu-dropout0';

/** One engine's measurements at one batch size. */
interface BenchRow {
  batch: number;
  steps: number;
  millisecondsPerStep: number;
  /** True when the steps would not fit in the budget: `millisecondsPerStep` is then projected. */
  projected?: boolean;
}

/** What a child process reports for its engine. */
interface EngineReport {
  engine: string;
  device?: string;
  unavailable?: string;
  rows: BenchRow[];
  peakRssMegabytes: number;
}

/**
 * Matrix-product FLOPs of one training step: every Linear layer runs forward (2 n d^2) and produces its
 * weight gradient (2 n d^2); all but the first also pass the gradient to their input (tfjs skips it for
 * the constant embeddings). Rows: the batch's distinct items for f, its distinct prompts for each g_k.
 */
function stepFlops(definition: PalBModelDefinition, items: number, prompts: number): number {
  const layers = 3; // mlp2: two hidden blocks and the final Linear, all d x d here.
  const perRow = (2 * layers + 2 * layers + 2 * (layers - 1)) * DIMENSION * DIMENSION;
  return perRow * (items + definition.numPrototypes * prompts);
}

function numberFromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? '');
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Warm-up and timed steps for a batch size that fit in the remaining budget, given the last measured
 * time per comparison (none yet: one warm-up and two timed steps).
 */
function planSteps(batch: number, millisecondsPerComparison: number | undefined, remainingMilliseconds: number): { warmup: number; timed: number } {
  const most = numberFromEnvironment('PAL_BENCH_STEPS', 3);
  if (millisecondsPerComparison === undefined) return { warmup: 1, timed: Math.min(2, most) };
  const affordable = Math.floor(remainingMilliseconds / (millisecondsPerComparison * batch));
  const warmup = affordable >= 3 ? 1 : 0;
  return { warmup, timed: Math.min(most, affordable - warmup) };
}

async function runEngine(engine: TfjsEngineName, batches: number[]): Promise<EngineReport> {
  const backend = createTfjsBackend({ engine });
  let described: { engine: string; device: string };
  try {
    described = await backend.load();
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^\[pal\] \[backend-tfjs\] /, '') : String(error);
    return { engine, unavailable: message.split(/(?<=\.) /)[0], rows: [], peakRssMegabytes: 0 };
  }
  const definition = parseModelDefinition({
    kind: 'pal-b',
    numPrototypes: PROTOTYPES,
    itemDim: DIMENSION,
    promptDim: DIMENSION,
    latentDim: DIMENSION,
    itemProjector: PROJECTOR,
    promptProjector: PROJECTOR,
  }) as PalBModelDefinition;
  const { model } = await backend.doCreateModel({
    definition,
    weights: initializeWeights(definition, USERS, 1),
    optimizer: optimizerSettingsSchema.parse({}),
    loss: lossSettingsSchema.parse({}),
    trainableGroups: [...parameterGroupSchema.options],
  });
  const rows: BenchRow[] = [];
  const budget = numberFromEnvironment('PAL_BENCH_BUDGET_SECONDS', 150) * 1000;
  const started = performance.now();
  let millisecondsPerComparison: number | undefined;
  let step = 0;
  for (const batchSize of batches) {
    const { warmup, timed } = planSteps(batchSize, millisecondsPerComparison, budget - (performance.now() - started));
    if (timed < 1) {
      rows.push({ batch: batchSize, steps: 0, millisecondsPerStep: millisecondsPerComparison! * batchSize, projected: true });
      continue;
    }
    const batch = randomComparisonBatch({ seed: batchSize, count: batchSize, numUsers: USERS, itemDim: DIMENSION, promptDim: DIMENSION });
    for (let index = 0; index < warmup; index++) await model.doTrainStep(batch, { step: ++step, seed: step });
    const timing = performance.now();
    for (let index = 0; index < timed; index++) await model.doTrainStep(batch, { step: ++step, seed: step });
    const millisecondsPerStep = (performance.now() - timing) / timed;
    millisecondsPerComparison = millisecondsPerStep / batchSize;
    rows.push({ batch: batchSize, steps: timed, millisecondsPerStep });
  }
  await model.doDispose();
  return { engine: described.engine, device: described.device, rows, peakRssMegabytes: process.resourceUsage().maxRSS / 1024 };
}

function runChild(engine: TfjsEngineName, batches: number[]): Promise<EngineReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--engine', engine, '--batches', batches.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as EngineReport);
      else reject(new Error(`benchmark of ${engine} exited with code ${code}: ${output.trim()}`));
    });
  });
}

function format(report: EngineReport, definition: PalBModelDefinition): string[] {
  if (report.unavailable) return [`${report.engine.padEnd(14)} not run: ${report.unavailable}`];
  return report.rows.map((row) => {
    if (row.projected) {
      return `${report.engine.padEnd(14)} ${report.device!.padEnd(6)} ${String(row.batch).padStart(6)}  not run: about ${(row.millisecondsPerStep / 1000).toFixed(0)} s per step projected from the last batch size, over the time budget`;
    }
    const flops = stepFlops(definition, 2 * row.batch, row.batch);
    const comparisonsPerSecond = (row.batch * 1000) / row.millisecondsPerStep;
    const gflops = flops / (row.millisecondsPerStep / 1000) / 1e9;
    return [
      report.engine.padEnd(14),
      report.device!.padEnd(6),
      String(row.batch).padStart(6),
      String(row.steps).padStart(6),
      row.millisecondsPerStep.toFixed(0).padStart(10),
      comparisonsPerSecond.toFixed(1).padStart(14),
      gflops.toFixed(2).padStart(8),
      report.peakRssMegabytes.toFixed(0).padStart(14),
    ].join(' ');
  });
}

async function main(): Promise<void> {
  const argument = (name: string) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const batches = (argument('--batches') ?? process.env['PAL_BENCH_BATCHES'] ?? '256,4096').split(',').map(Number);
  const childEngine = argument('--engine');
  if (childEngine) {
    process.stdout.write(`${JSON.stringify(await runEngine(childEngine as TfjsEngineName, batches))}\n`);
    return;
  }
  const engines = (process.env['PAL_BENCH_ENGINES']?.split(',') ?? [...tfjsEngineNames]) as TfjsEngineName[];
  const definition = parseModelDefinition({ kind: 'pal-b', numPrototypes: PROTOTYPES, itemDim: DIMENSION, promptDim: DIMENSION, latentDim: DIMENSION }) as PalBModelDefinition;
  const perComparison = stepFlops(definition, 2, 1) / 1e6;
  console.log(`tfjs backend: PAL-B d=${DIMENSION} K=${PROTOTYPES} ${PROJECTOR}, AdamW train steps, random embeddings (2 distinct items and 1 prompt per comparison)`);
  console.log(`matrix-product work: ${perComparison.toFixed(1)} MFLOP per comparison (forward + backward)`);
  console.log(['engine'.padEnd(14), 'device', ' batch', ' steps', '   ms/step', ' comparisons/s', ' GFLOP/s', ' peak RSS (MB)'].join(' '));
  for (const engine of engines) {
    for (const line of format(await runChild(engine, batches), definition)) console.log(line);
  }
}

await main();
