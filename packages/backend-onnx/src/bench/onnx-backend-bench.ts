/**
 * `pnpm bench` for @pal/backend-onnx: trains PAL-B (d = 1024, K = 2, mlp2-gelu-dropout0) at batch 256 and
 * 4096 on random embeddings and on Personas-shaped data (recurring prompts, two items), reporting
 * comparisons/s, achieved GFLOP/s of the MLP products and peak RSS, and runs the PyTorch eager baseline
 * (pytorch-bench.py) on the same minibatches when an interpreter with torch is found. Then it times
 * few-shot localisation of one new user from 10 to 100 comparisons with core's `localize()`.
 * Each configuration runs in its own process so that peak RSS belongs to that configuration alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Random,
  initializeWeights,
  localize,
  lossSettingsSchema,
  optimizerSettingsSchema,
  parseModelDefinition,
  type ComparisonBatchV1,
  type EmbeddedComparisons,
  type PalBModelDefinition,
  type PalModel,
} from '@pal/core';
import { createOnnxBackend } from '../index.js';

const DIMENSION = 1024;
const K = 2;
const HIDDEN_LAYERS = 2;
const NUM_USERS = 100;
/** Distinct statements Personas-shaped prompts are drawn from (one persona file of Anthropic's set). */
const PERSONA_STATEMENTS = 1000;
/** Timed localisations per N (after one warm-up); the median is reported. */
const LOCALISATION_ROUNDS = 11;

interface Scenario {
  name: string;
  data: 'random' | 'personas';
  batchSize: number;
  /** Minibatches per backend call (doTrainSteps); 1 means doTrainStep. */
  stepsPerCall: number;
  /** ONNX Runtime's CPU memory arena (createOnnxBackend's `memoryArena`). */
  memoryArena?: boolean;
  warmupSteps: number;
  timedSteps: number;
}

interface Measurement {
  engine: string;
  threads?: number;
  stepMs: number;
  comparisonsPerSecond: number;
  gflopPerStep: number;
  gflops: number;
  peakRssMb: number;
}

const definition = parseModelDefinition({
  kind: 'pal-b',
  numPrototypes: K,
  itemDim: DIMENSION,
  promptDim: DIMENSION,
  latentDim: DIMENSION,
  itemProjector: `mlp${HIDDEN_LAYERS}-gelu-dropout0`,
  promptProjector: `mlp${HIDDEN_LAYERS}-gelu-dropout0`,
}) as PalBModelDefinition;

/** Minibatches in core's indexed form; Personas-shaped ones share two item rows and a statement pool. */
function makeBatches(scenario: Scenario, seed: number, batchCount?: number): ComparisonBatchV1[] {
  const random = new Random(seed);
  const count = scenario.batchSize;
  const fill = (length: number) => {
    const data = new Float32Array(length);
    for (let index = 0; index < length; index++) data[index] = random.normal() / Math.sqrt(DIMENSION);
    return data;
  };
  const statements = scenario.data === 'personas' ? fill(PERSONA_STATEMENTS * DIMENSION) : undefined;
  // A few distinct minibatches, cycled: enough to keep caches honest without the data dominating memory.
  const total = batchCount ?? (scenario.batchSize >= 2048 ? 2 : 8);
  return Array.from({ length: total }, () => {
    const user = Int32Array.from({ length: count }, () => random.integer(NUM_USERS));
    const label = Int8Array.from({ length: count }, () => (random.uniform() < 0.5 ? 1 : 0));
    const weight = new Float32Array(count).fill(1);
    if (!statements) {
      const identity = Int32Array.from({ length: count }, (_, index) => index);
      return {
        prompts: { data: fill(count * DIMENSION), rows: count, cols: DIMENSION },
        items: { data: fill(2 * count * DIMENSION), rows: 2 * count, cols: DIMENSION },
        promptIndex: identity,
        leftIndex: Int32Array.from(identity, (index) => 2 * index),
        rightIndex: Int32Array.from(identity, (index) => 2 * index + 1),
        user,
        label,
        weight,
      };
    }
    // Each distinct statement is stored once per batch, as core's selectComparisons cuts minibatches.
    const slots = new Map<number, number>();
    const promptIndex = Int32Array.from({ length: count }, () => {
      const statement = random.integer(PERSONA_STATEMENTS);
      if (!slots.has(statement)) slots.set(statement, slots.size);
      return slots.get(statement)!;
    });
    const prompts = new Float32Array(slots.size * DIMENSION);
    for (const [statement, slot] of slots) prompts.set(statements.subarray(statement * DIMENSION, (statement + 1) * DIMENSION), slot * DIMENSION);
    const yes = Int32Array.from({ length: count }, () => (random.uniform() < 0.5 ? 0 : 1));
    return {
      prompts: { data: prompts, rows: slots.size, cols: DIMENSION },
      items: { data: fill(2 * DIMENSION), rows: 2, cols: DIMENSION },
      promptIndex,
      leftIndex: yes,
      rightIndex: Int32Array.from(yes, (value) => 1 - value),
      user,
      label,
      weight,
    };
  });
}

/** Forward 2 r i o per Linear, backward 2 r i o for dW and 2 r i o for dX except the first layer. */
function mlpFlops(rows: number): number {
  let total = 0;
  for (let layer = 0; layer <= HIDDEN_LAYERS; layer++) total += 2 * rows * DIMENSION * DIMENSION * (layer > 0 ? 3 : 2);
  return total;
}

/** Writes the batches for the PyTorch script: a JSON header with array offsets, then the raw arrays. */
function writeScenarioFile(path: string, scenario: Scenario, batches: ComparisonBatchV1[]): void {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (array: Float32Array | Int32Array | Int8Array, dtype: string, shape: number[]) => {
    const entry = [offset, dtype, shape] as const;
    chunks.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    offset += array.byteLength;
    const padding = (8 - (offset % 8)) % 8;
    if (padding) {
      chunks.push(new Uint8Array(padding));
      offset += padding;
    }
    return entry;
  };
  const header = {
    ...scenario,
    itemDim: DIMENSION,
    promptDim: DIMENSION,
    latentDim: DIMENSION,
    hiddenLayers: HIDDEN_LAYERS,
    numPrototypes: K,
    numUsers: NUM_USERS,
    batches: batches.map((batch) => ({
      prompts: add(batch.prompts.data, '<f4', [batch.prompts.rows, DIMENSION]),
      items: add(batch.items.data, '<f4', [batch.items.rows, DIMENSION]),
      promptIndex: add(batch.promptIndex, '<i4', [batch.promptIndex.length]),
      leftIndex: add(batch.leftIndex, '<i4', [batch.leftIndex.length]),
      rightIndex: add(batch.rightIndex, '<i4', [batch.rightIndex.length]),
      user: add(batch.user, '<i4', [batch.user.length]),
      label: add(batch.label, '|i1', [batch.label.length]),
    })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, headerBytes.length, true);
  writeFileSync(path, Buffer.concat([length, headerBytes, ...chunks]));
}

/** One configuration on the ONNX backend (runs in a child process). */
async function measureOnnx(scenario: Scenario): Promise<Measurement> {
  const batches = makeBatches(scenario, 1);
  const backend = createOnnxBackend({ memoryArena: scenario.memoryArena ?? false });
  const { model } = await backend.doCreateModel({
    definition,
    weights: initializeWeights(definition, NUM_USERS, 1),
    optimizer: optimizerSettingsSchema.parse({}),
    loss: lossSettingsSchema.parse({}),
    trainableGroups: ['projectors', 'userWeights', 'logitScale'],
  });
  let step = 1;
  const run = async (first: number, count: number) => {
    for (let offset = 0; offset < count; offset += scenario.stepsPerCall) {
      const size = Math.min(scenario.stepsPerCall, count - offset);
      const group = Array.from({ length: size }, (_, index) => batches[(first + offset + index) % batches.length]!);
      const options = group.map(() => ({ step, seed: step++ }));
      if (size === 1) await model.doTrainStep(group[0]!, options[0]!);
      else await model.doTrainSteps!(group, options);
    }
  };
  await run(0, scenario.warmupSteps);
  const start = performance.now();
  await run(scenario.warmupSteps, scenario.timedSteps);
  const stepMs = (performance.now() - start) / scenario.timedSteps;
  let flops = 0;
  for (let index = 0; index < scenario.timedSteps; index++) {
    const batch = batches[(scenario.warmupSteps + index) % batches.length]!;
    flops += mlpFlops(batch.items.rows) + K * mlpFlops(batch.prompts.rows);
  }
  const gflopPerStep = flops / scenario.timedSteps / 1e9;
  await model.doDispose();
  return {
    engine: 'onnxruntime-node 1.30.0',
    stepMs,
    comparisonsPerSecond: (scenario.batchSize * 1000) / stepMs,
    gflopPerStep,
    gflops: gflopPerStep / (stepMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Times core's localize() for one new user with N comparisons (runs in a child process). */
async function measureLocalisation(): Promise<{ comparisons: number; data: string; milliseconds: number }[]> {
  const model: PalModel = { definition, weights: initializeWeights(definition, NUM_USERS, 1), userIds: Array.from({ length: NUM_USERS }, (_, index) => `user-${index}`) };
  const backend = createOnnxBackend();
  const results: { comparisons: number; data: string; milliseconds: number }[] = [];
  for (const data of ['random', 'personas'] as const) {
    for (const comparisons of [10, 20, 50, 100]) {
      const timings: number[] = [];
      // The first round only warms the backend's shared sessions; every round localises fresh data.
      for (let round = 0; round < LOCALISATION_ROUNDS + 1; round++) {
        // One batch only: the garbage of generating more would be collected inside the timed call.
        const [batch] = makeBatches({ name: '', data, batchSize: comparisons, stepsPerCall: 1, warmupSteps: 1, timedSteps: 0 }, 1000 * comparisons + round, 1);
        const shots: EmbeddedComparisons = { ...batch!, user: new Int32Array(comparisons), userIds: ['new-user'] };
        const start = performance.now();
        await localize({ backend, model, data: shots });
        if (round > 0) timings.push(performance.now() - start);
      }
      timings.sort((a, b) => a - b);
      results.push({ comparisons, data, milliseconds: timings[Math.floor(timings.length / 2)]! });
    }
  }
  return results;
}

function findTorchPython(): string | undefined {
  for (const candidate of [process.env.PAL_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((value): value is string => Boolean(value))) {
    const result = spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' });
    if (result.status === 0) return candidate;
  }
  return undefined;
}

function runChild(args: string[]): string {
  return execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
}

function lastJsonLine(output: string): unknown {
  const line = output.trim().split('\n').filter((candidate) => candidate.startsWith('{') || candidate.startsWith('[')).pop();
  if (!line) throw new Error(`no JSON result in output:\n${output}`);
  return JSON.parse(line);
}

async function main(): Promise<void> {
  const [mode, argument] = process.argv.slice(2);
  if (mode === '--worker') {
    console.log(JSON.stringify(await measureOnnx(JSON.parse(argument!) as Scenario)));
    return;
  }
  if (mode === '--localize') {
    console.log(JSON.stringify(await measureLocalisation()));
    return;
  }
  const quick = mode === '--quick';
  const scenarios: Scenario[] = [
    { name: 'random, batch 256', data: 'random', batchSize: 256, stepsPerCall: 1, warmupSteps: 4, timedSteps: quick ? 8 : 32 },
    { name: 'random, batch 256, 16 steps per call', data: 'random', batchSize: 256, stepsPerCall: 16, warmupSteps: 16, timedSteps: quick ? 16 : 32 },
    { name: 'random, batch 4096', data: 'random', batchSize: 4096, stepsPerCall: 1, warmupSteps: 1, timedSteps: quick ? 2 : 6 },
    { name: 'random, batch 4096, memory arena', data: 'random', batchSize: 4096, stepsPerCall: 1, warmupSteps: 1, timedSteps: quick ? 2 : 6, memoryArena: true },
    { name: 'Personas-shaped, batch 256', data: 'personas', batchSize: 256, stepsPerCall: 1, warmupSteps: 4, timedSteps: quick ? 8 : 32 },
    { name: 'Personas-shaped, batch 256, 16 steps per call', data: 'personas', batchSize: 256, stepsPerCall: 16, warmupSteps: 16, timedSteps: quick ? 16 : 32 },
    { name: 'Personas-shaped, batch 4096', data: 'personas', batchSize: 4096, stepsPerCall: 1, warmupSteps: 1, timedSteps: quick ? 4 : 8 },
  ];
  const python = findTorchPython();
  const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/bench/pytorch-bench.py');
  const directory = mkdtempSync(join(tmpdir(), 'pal-onnx-bench-'));
  console.log(`PAL-B d=${DIMENSION}, K=${K}, mlp${HIDDEN_LAYERS}-gelu-dropout0, AdamW with PAL's parameter groups, logistic loss`);
  console.log(python ? `PyTorch baseline: ${python}` : 'PyTorch baseline: skipped (no python3 that imports torch; set PAL_BENCH_PYTHON)');
  const rows: string[] = [];
  const baselines = new Map<string, Measurement | undefined>();
  try {
    for (const scenario of scenarios) {
      const ours = lastJsonLine(runChild(['--worker', JSON.stringify(scenario)])) as Measurement;
      const baselineKey = `${scenario.data}:${scenario.batchSize}`;
      let best = baselines.get(baselineKey);
      if (!baselines.has(baselineKey) && python && existsSync(script)) {
        const file = join(directory, 'scenario.bin');
        writeScenarioFile(file, scenario, makeBatches(scenario, 1));
        for (const threads of [1, 2]) {
          const output = execFileSync(python, [script, file, String(threads)], { encoding: 'utf8', maxBuffer: 1 << 24 });
          const measured = lastJsonLine(output) as Measurement;
          console.log(`  pytorch ${scenario.name}, ${threads} thread(s): ${measured.comparisonsPerSecond.toFixed(0)} comparisons/s`);
          if (!best || measured.comparisonsPerSecond > best.comparisonsPerSecond) best = measured;
        }
        rmSync(file, { force: true });
        baselines.set(baselineKey, best);
      }
      const ratio = best ? `${(ours.comparisonsPerSecond / best.comparisonsPerSecond).toFixed(2)}x` : 'n/a';
      const memory = best ? `${ours.peakRssMb.toFixed(0)} / ${best.peakRssMb.toFixed(0)} MB` : `${ours.peakRssMb.toFixed(0)} MB`;
      rows.push(
        `| ${scenario.name} | ${ours.comparisonsPerSecond.toFixed(0)} (${ours.gflops.toFixed(0)} GFLOP/s) | ` +
          `${best ? `${best.comparisonsPerSecond.toFixed(0)} (${best.gflops.toFixed(0)} GFLOP/s, ${best.threads} thread)` : 'n/a'} | ${ratio} | ${memory} |`,
      );
      console.log(rows[rows.length - 1]);
    }
    console.log('\n| data | ONNX backend comparisons/s | PyTorch eager comparisons/s | ours / PyTorch | peak RSS ours / PyTorch |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(row);
    const localisation = lastJsonLine(runChild(['--localize'])) as { comparisons: number; data: string; milliseconds: number }[];
    console.log(`\nLocalising one new user with core localize() (300 steps, held-out selection every 10), median of ${LOCALISATION_ROUNDS}:`);
    for (const entry of localisation) console.log(`  ${entry.data.padEnd(8)} N = ${String(entry.comparisons).padStart(3)}: ${entry.milliseconds.toFixed(1)} ms`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
