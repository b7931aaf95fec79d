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
 * random embeddings (the ONNX backend's workload: 2 distinct items and 1 distinct prompt per comparison),
 * at batch 256 and 4096, on every tfjs engine installed. Each (engine, batch) runs in its own process so
 * that its peak RSS is its own, within a time budget per engine: a batch size whose steps would not fit
 * is reported with its step time projected from the smaller batch. Environment overrides:
 * PAL_BENCH_ENGINES and PAL_BENCH_BATCHES (comma lists), PAL_BENCH_STEPS (most timed steps per batch,
 * default 3), PAL_BENCH_BUDGET_SECONDS (per engine, default 150).
 */

const DIMENSION = 1024;
const PROTOTYPES = 2;
const USERS = 100;
const PROJECTOR = 'mlp2-gelu-dropout0';

/** Warm-up and timed steps of one measurement. */
interface StepPlan {
  warmup: number;
  timed: number;
}

/** What a child process reports for one engine at one batch size. */
interface Measurement {
  engine: string;
  device?: string;
  /** Why the engine did not load, when it did not. */
  unavailable?: string;
  millisecondsPerStep: number;
  peakRssMegabytes: number;
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

/**
 * Matrix-product FLOPs of one training step: every Linear layer runs forward (2 n d^2) and produces its
 * weight gradient (2 n d^2); all but the first also pass the gradient to their input (the embeddings are
 * data). Rows: the batch's distinct items for f, its distinct prompts for each g_k.
 */
function stepFlops(items: number, prompts: number): number {
  const layers = 3; // mlp2: two hidden blocks and the final Linear, all d x d here.
  const perRow = (2 * layers + 2 * layers + 2 * (layers - 1)) * DIMENSION * DIMENSION;
  return perRow * (items + definition.numPrototypes * prompts);
}

function numberFromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? '');
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Steps for a batch size that fit in the remaining budget, given the last measured time per comparison
 * (none yet: one warm-up and two timed steps).
 */
function planSteps(batch: number, millisecondsPerComparison: number | undefined, remainingMilliseconds: number): StepPlan {
  const most = numberFromEnvironment('PAL_BENCH_STEPS', 3);
  if (millisecondsPerComparison === undefined) return { warmup: 1, timed: Math.min(2, most) };
  const affordable = Math.floor(remainingMilliseconds / (millisecondsPerComparison * batch));
  const warmup = affordable >= 3 ? 1 : 0;
  return { warmup, timed: Math.min(most, affordable - warmup) };
}

/** Runs in the child process: one engine, one batch size. */
async function measure(engine: TfjsEngineName, batchSize: number, plan: StepPlan): Promise<Measurement> {
  const backend = createTfjsBackend({ engine });
  let described: { engine: string; device: string };
  try {
    described = await backend.load();
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^\[pal\] \[backend-tfjs\] /, '') : String(error);
    return { engine, unavailable: message.split(/(?<=\.) /)[0], millisecondsPerStep: 0, peakRssMegabytes: 0 };
  }
  const { model } = await backend.doCreateModel({
    definition,
    weights: initializeWeights(definition, USERS, 1),
    optimizer: optimizerSettingsSchema.parse({}),
    loss: lossSettingsSchema.parse({}),
    trainableGroups: [...parameterGroupSchema.options],
  });
  const batch = randomComparisonBatch({ seed: batchSize, count: batchSize, numUsers: USERS, itemDim: DIMENSION, promptDim: DIMENSION });
  let step = 0;
  for (let index = 0; index < plan.warmup; index++) await model.doTrainStep(batch, { step: ++step, seed: step });
  const started = performance.now();
  for (let index = 0; index < plan.timed; index++) await model.doTrainStep(batch, { step: ++step, seed: step });
  const millisecondsPerStep = (performance.now() - started) / plan.timed;
  await model.doDispose();
  return { ...described, millisecondsPerStep, peakRssMegabytes: process.resourceUsage().maxRSS / 1024 };
}

function runChild(engine: TfjsEngineName, batch: number, plan: StepPlan): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const argumentsList = [fileURLToPath(import.meta.url), '--engine', engine, '--batch', String(batch), '--warmup', String(plan.warmup), '--timed', String(plan.timed)];
    const child = spawn(process.execPath, argumentsList, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as Measurement);
      else reject(new Error(`benchmark of ${engine} at batch ${batch} exited with code ${code}: ${output.trim()}`));
    });
  });
}

function formatRow(engine: string, device: string, batch: number, steps: number, measurement: Measurement): string {
  const comparisonsPerSecond = (batch * 1000) / measurement.millisecondsPerStep;
  const gflops = stepFlops(2 * batch, batch) / (measurement.millisecondsPerStep / 1000) / 1e9;
  return [
    engine.padEnd(14),
    device.padEnd(6),
    String(batch).padStart(6),
    String(steps).padStart(6),
    measurement.millisecondsPerStep.toFixed(0).padStart(10),
    comparisonsPerSecond.toFixed(1).padStart(14),
    gflops.toFixed(2).padStart(8),
    measurement.peakRssMegabytes.toFixed(0).padStart(14),
  ].join(' ');
}

async function main(): Promise<void> {
  const argument = (name: string) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const childEngine = argument('--engine');
  if (childEngine) {
    const plan = { warmup: Number(argument('--warmup')), timed: Number(argument('--timed')) };
    process.stdout.write(`${JSON.stringify(await measure(childEngine as TfjsEngineName, Number(argument('--batch')), plan))}\n`);
    return;
  }
  const batches = (process.env['PAL_BENCH_BATCHES'] ?? '256,4096').split(',').map(Number);
  const engines = (process.env['PAL_BENCH_ENGINES']?.split(',') ?? [...tfjsEngineNames]) as TfjsEngineName[];
  const budget = numberFromEnvironment('PAL_BENCH_BUDGET_SECONDS', 150) * 1000;
  console.log(`tfjs backend: PAL-B d=${DIMENSION} K=${PROTOTYPES} ${PROJECTOR}, AdamW train steps, random embeddings (2 distinct items and 1 prompt per comparison)`);
  console.log(`matrix-product work: ${(stepFlops(2, 1) / 1e6).toFixed(1)} MFLOP per comparison (forward + backward)`);
  console.log(['engine'.padEnd(14), 'device', ' batch', ' steps', '   ms/step', ' comparisons/s', ' GFLOP/s', ' peak RSS (MB)'].join(' '));
  for (const engine of engines) {
    const started = performance.now();
    let millisecondsPerComparison: number | undefined;
    for (const batch of batches) {
      const plan = planSteps(batch, millisecondsPerComparison, budget - (performance.now() - started));
      if (plan.timed < 1) {
        const projected = (millisecondsPerComparison! * batch) / 1000;
        console.log(`${engine.padEnd(14)} ${String(batch).padStart(13)}  not run: about ${projected.toFixed(0)} s per step projected from the smaller batch, over the ${budget / 1000} s budget`);
        continue;
      }
      const measurement = await runChild(engine, batch, plan);
      if (measurement.unavailable) {
        console.log(`${engine.padEnd(14)} not run: ${measurement.unavailable}`);
        break;
      }
      millisecondsPerComparison = measurement.millisecondsPerStep / batch;
      console.log(formatRow(measurement.engine, measurement.device!, batch, plan.timed, measurement));
    }
  }
}

await main();
