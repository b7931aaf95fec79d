import { fewShotCurve, kSweep } from '@pal/eval';
import { mergeConfig, validateConfig, type ConfigObject } from '../config/load-config.js';
import type { Output } from '../output/output.js';
import { prepareData, requireSplit } from '../plugins/prepare-data.js';
import type { RunContext } from '../run/pipeline.js';
import { modelDefinition } from '../run/pipeline.js';
import type { ReproPanel } from './repro-panel.js';
import type { ReproScale } from './repro-synthetic.js';

/** Which model a Personas reproduction trains: PAL-B-Tiny (Figure D.6) or PAL-A-Tiny (Figure D.5). */
export type PersonasVariant = 'pal-a' | 'pal-b';

/** Hash buckets of the PAL-A runs: the residual f keeps this width, so it is also PAL-A's latent dimension. */
const palAWidth = (scale: ReproScale) => (scale === 'small' ? 64 : 256);

/**
 * The base of every Personas reproduction run. PAL-B: the quickstart's model with a 16-dimensional latent
 * space (paper D.4's d). PAL-A (D.4): prompt and answer hashed together, a two-layer residual f whose
 * latent dimension is the input width, hinge loss.
 */
const base = (scale: ReproScale, variant: PersonasVariant): ConfigObject => (variant === 'pal-a' ? basePalA(scale) : basePalB(scale));

const basePalA = (scale: ReproScale): ConfigObject => ({
  encoder: { kind: 'hashing', dimension: palAWidth(scale) },
  dataset: { kind: 'personas', usersPerGroup: scale === 'small' ? 8 : 40, unseenUsersPerGroup: scale === 'small' ? 3 : 8, queriesPerUnseenUser: 100, seed: 0 },
  model: { kind: 'pal-a', latentDim: palAWidth(scale), projector: 'mlp1-gelu-dropout0-residual' },
  train: { epochs: scale === 'small' ? 4 : 12, batchSize: 256, seed: 1, loss: { kind: 'hinge' }, optimizer: { groups: { projectors: { learningRate: 3e-3, weightDecay: 0 }, prototypes: { learningRate: 5e-2 }, userWeights: { learningRate: 5e-2 } } } },
  localize: { steps: scale === 'small' ? 30 : 200, learningRate: 0.1 },
});

const basePalB = (scale: ReproScale): ConfigObject => ({
  encoder: { kind: 'hashing', dimension: scale === 'small' ? 256 : 1024 },
  dataset: { kind: 'personas', usersPerGroup: scale === 'small' ? 8 : 40, unseenUsersPerGroup: scale === 'small' ? 3 : 8, queriesPerUnseenUser: 100, seed: 0 },
  model: { kind: 'pal-b', latentDim: 16, itemProjector: 'mlp0-linear-dropout0', promptProjector: 'mlp0-linear-dropout0' },
  train: { epochs: scale === 'small' ? 2 : 8, batchSize: 256, seed: 1, optimizer: { groups: { projectors: { learningRate: 1e-3, weightDecay: 0 }, userWeights: { learningRate: 5e-2 } } } },
  localize: { steps: scale === 'small' ? 30 : 200, learningRate: 0.1 },
});

/**
 * Figure D.6 (a-d) of the paper (PAL-B-Tiny on Personas) or Figure D.5 (a-c) (PAL-A-Tiny, which has no
 * latent-dimension panel), scaled from 10,000 users per group to tens.
 */
export async function reproPersonas(context: RunContext, scale: ReproScale, output: Output, variant: PersonasVariant = 'pal-b'): Promise<{ panels: ReproPanel[]; settings: Record<string, unknown> }> {
  const small = scale === 'small';
  const palA = variant === 'pal-a';
  const figure = palA ? 'Figure D.5' : 'Figure D.6';
  const prefix = palA ? 'personas-pal-a' : 'personas';
  const configFor = (overrides: ConfigObject) => validateConfig(mergeConfig(context.config as unknown as ConfigObject, base(scale, variant), overrides), 'repro personas settings');
  const backend = context.backend.backend;
  const kValues = small ? [1, 2, 4] : [1, 2, 3, 4, 5];
  const panels: ReproPanel[] = [];

  const sweepFor = async (label: string, overrides: ConfigObject, ks: number[]) => {
    const config = configFor(overrides);
    const data = await prepareData(config, output, { joint: palA });
    const sweep = await output.task(label, () =>
      kSweep({ backend, definition: modelDefinition(config, data, 1), ks, train: requireSplit(data, 'train'), validation: data.splits.validation, test: requireSplit(data, 'test'), trainOptions: config.train }),
    );
    return { config, data, sweep };
  };

  // (a) seen accuracy against K for several K*, n_p fixed.
  const trueKs = small ? [2, 4] : [2, 4, 6];
  const a: ReproPanel = { id: `${prefix}-a`, figure: `${figure} (a)`, title: 'seen accuracy against K for several true K*', xLabel: 'prototypes K', series: [], paper: 'seen accuracy climbs to about 100% as K reaches K*; K = 1 stays well below.' };
  for (const trueK of trueKs) {
    const ks = small ? [1, trueK] : [...new Set([1, 2, 4, 6, trueK])].sort((x, y) => x - y);
    const { sweep } = await sweepFor(`${prefix} (a) K* = ${trueK}`, { dataset: { numGroups: trueK, queriesPerUser: small ? 60 : 200 } }, ks);
    a.series.push({ name: `K* = ${trueK}`, points: sweep.points.map((point) => ({ x: point.k, y: point.seenAccuracy })) });
  }
  panels.push(a);

  // (b) seen accuracy against K for several n_p, K* = 4; the largest n_p's models also serve (d).
  const queryCounts = small ? [30, 60] : [50, 100, 200];
  const b: ReproPanel = { id: `${prefix}-b`, figure: `${figure} (b)`, title: 'seen accuracy against K for several comparisons per seen user n_p (K* = 4)', xLabel: 'prototypes K', series: [], paper: 'more comparisons per seen user give higher seen accuracy; K >= K* = 4 is needed to reach the top.' };
  let largest: Awaited<ReturnType<typeof sweepFor>> | undefined;
  for (const queries of queryCounts) {
    largest = await sweepFor(`${prefix} (b) n_p = ${queries}`, { dataset: { numGroups: 4, queriesPerUser: queries } }, kValues);
    b.series.push({ name: `n_p = ${queries}`, points: largest.sweep.points.map((point) => ({ x: point.k, y: point.seenAccuracy })) });
  }
  panels.push(b);

  // (c) seen accuracy against the latent dimension d, K = 1 and K = K* = 4 (PAL-B only: PAL-A's residual f fixes d).
  const latentDims = palA ? [] : small ? [4, 16] : [4, 8, 16, 32];
  const c: ReproPanel = { id: 'personas-c', figure: 'Figure D.6 (c)', title: 'seen accuracy against the latent dimension d (K* = 4)', xLabel: 'latent dimension d', series: [{ name: 'K = 4', points: [] }, { name: 'K = 1', dashed: true, points: [] }], paper: 'the latent dimension barely changes seen accuracy.' };
  for (const latentDim of latentDims) {
    const { sweep } = await sweepFor(`personas (c) d = ${latentDim}`, { dataset: { numGroups: 4, queriesPerUser: queryCounts.at(-1) }, model: { latentDim } }, [4]);
    c.series[0]!.points.push({ x: latentDim, y: sweep.points.find((point) => point.k === 4)!.seenAccuracy });
    c.series[1]!.points.push({ x: latentDim, y: sweep.points.find((point) => point.k === 1)!.seenAccuracy });
  }
  if (!palA) panels.push(c);

  // (d) unseen accuracy against comparisons per unseen user, one curve per K (models of the largest n_p in (b)).
  const shots = small ? [1, 10] : [1, 5, 10, 20, 50];
  const d: ReproPanel = { id: `${prefix}-${palA ? 'c' : 'd'}`, figure: `${figure} (${palA ? 'c' : 'd'})`, title: 'unseen accuracy against comparisons per unseen user (K* = 4)', xLabel: 'comparisons per unseen user', xScale: 'log', series: [], paper: 'K = 1 is flat; for K > 1 accuracy rises with diminishing returns, and larger K needs more comparisons.' };
  const { data, sweep, config } = largest!;
  for (const k of kValues) {
    const curve = await output.task(`${prefix} (${palA ? 'c' : 'd'}) K = ${k}`, () =>
      fewShotCurve({ backend, model: sweep.models[k]!, pool: requireSplit(data, 'unseen-train'), test: requireSplit(data, 'unseen-test'), shots, localizeOptions: config.localize }),
    );
    d.series.push({ name: `K = ${k}`, dashed: k === 1, points: curve.points.map((point) => ({ x: point.shots, y: point.accuracy })) });
  }
  panels.push(d);
  return { panels, settings: { scale, variant, base: base(scale, variant), kValues, trueKs, queryCounts, latentDims, shots } };
}
