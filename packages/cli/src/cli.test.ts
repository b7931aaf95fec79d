import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { captureIo } from './test-io.js';

let directory: string;
let folders: string[];

async function pal(...argv: string[]) {
  const io = captureIo();
  const code = await runCli([...argv], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pal-cli-'));
  folders = ['--runs-dir', join(directory, 'runs'), '--cache-dir', join(directory, 'cache')];
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('pal quickstart --small', () => {
  it('should train, evaluate and write the report and checkpoints, printing the summary as JSON', async () => {
    const result = await pal('quickstart', '--small', '--backend', 'reference', '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    for (const field of ['seenAccuracy', 'unseenAccuracy', 'baselineSeenAccuracy', 'baselineUnseenAccuracy', 'zeroShotAccuracy']) {
      expect(summary[field], field).toBeGreaterThanOrEqual(0);
      expect(summary[field], field).toBeLessThanOrEqual(1);
    }
    expect(summary.backend).toBe('reference');
    expect(summary.unseenShots).toBe(20);
    expect(summary.fewShot.map((point: { shots: number }) => point.shots)).toEqual([2, 10, 20]);
    for (const timing of ['embedMs', 'trainPalMs', 'trainBaselineMs', 'totalMs']) expect(summary.timings[timing], timing).toBeGreaterThan(0);
    expect(summary.reportPath).toBe(join(directory, 'runs', 'quickstart-small', 'report.html'));
    expect(await readFile(summary.reportPath, 'utf8')).toContain('data-chart="few-shot"');
    expect(existsSync(join(summary.checkpointPath, 'manifest.json'))).toBe(true);
    expect(existsSync(join(directory, 'runs', 'quickstart-small', 'baseline-checkpoint', 'manifest.json'))).toBe(true);
    // --json keeps stdout to the one document; notes go nowhere.
    expect(result.stderr).toBe('');
  });

  it('should print a human-readable summary and notes without --json', async () => {
    const result = await pal('quickstart', '--small', '--backend', 'reference', '--name', 'text-run', ...folders);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/seen users: +PAL K = 4 \d+\.\d%/);
    expect(result.stdout).toContain(join(directory, 'runs', 'text-run', 'report.html'));
    expect(result.stderr).toContain('backend: reference');
  });
});

describe('train, evaluate, localize, score and report on a config file', () => {
  let config: string;
  beforeAll(async () => {
    config = join(directory, 'personas.yaml');
    await writeFile(
      config,
      [
        'name: flow',
        'backend: reference',
        'encoder: { kind: hashing, dimension: 256 }',
        'dataset: { kind: personas, numGroups: 2, usersPerGroup: 6, unseenUsersPerGroup: 2, queriesPerUser: 40, queriesPerUnseenUser: 30 }',
        'model: { numPrototypes: 2, latentDim: 8 }',
        'train: { epochs: 2 }',
        'localize: { steps: 20 }',
        'evaluation: { shots: [5, 10], unseenShots: 10 }',
      ].join('\n'),
    );
  });

  it('should save the PAL and baseline checkpoints under runs/<name>/', async () => {
    const result = await pal('train', '--config', config, '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.checkpointPath).toBe(join(directory, 'runs', 'flow', 'checkpoint'));
    expect(summary.users).toBe(12);
    expect(summary.history).toHaveLength(2);
    expect(existsSync(join(summary.baselineCheckpointPath, 'manifest.json'))).toBe(true);
  });

  it('should evaluate the saved checkpoints with the baseline beside', async () => {
    const result = await pal('evaluate', '--config', config, '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const evaluation = JSON.parse(result.stdout);
    expect(evaluation.seen.baselineAccuracy).toBeGreaterThan(0);
    expect(evaluation.unseen.shots).toBe(10);
    expect(evaluation.fewShot.map((point: { shots: number }) => point.shots)).toEqual([5, 10]);
    expect(evaluation.perGroup).toHaveLength(2);
  });

  it('should localise unseen users and score texts for one of them', async () => {
    const localized = await pal('localize', '--config', config, '--shots', '10', '--json', ...folders);
    expect(localized.code, localized.stderr).toBe(0);
    const { checkpointPath, users } = JSON.parse(localized.stdout);
    expect(users).toBe(4);
    const manifest = JSON.parse(await readFile(join(checkpointPath, 'manifest.json'), 'utf8'));
    const unseenUser = manifest.userIds.find((id: string) => id.includes('unseen'));
    const scored = await pal('score', '--checkpoint', checkpointPath, '--user', unseenUser, '--prompt', 'I like to read novels', '--item', 'Yes', 'No', '--json');
    expect(scored.code, scored.stderr).toBe(0);
    const { scores } = JSON.parse(scored.stdout);
    expect(scores.map((score: { item: string }) => score.item)).toEqual(['Yes', 'No']);
    expect(Number.isFinite(scores[0].reward)).toBe(true);
  });

  it('should re-render the report from the saved report data', async () => {
    const run = join(directory, 'runs', 'flow');
    await rm(join(run, 'report.html'));
    const result = await pal('report', '--run', run, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(JSON.parse(result.stdout).reportPath, 'utf8')).toContain('<svg');
  });

  it('should fail with exit code 1 and name the user when scoring an unknown user', async () => {
    const result = await pal('score', '--checkpoint', join(directory, 'runs', 'flow', 'checkpoint'), '--user', 'nobody', '--item', 'Yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: \[pal\] user "nobody" is not in this model/);
  });
});

describe('usage errors and runtime errors', () => {
  it('should exit 2 and name the field of a bad config value', async () => {
    const config = join(directory, 'bad.json');
    await writeFile(config, JSON.stringify({ model: { numPrototypes: 'four' } }));
    const result = await pal('train', '--config', config);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/config file .*bad\.json: model\.numPrototypes: .*expected number/);
  });

  it('should exit 2 and name a bad field of a dataset section with its full path', async () => {
    const config = join(directory, 'bad-dataset.yaml');
    await writeFile(config, 'dataset:\n  kind: personas\n  usersPerGroup: 0\n');
    const result = await pal('embed', '--config', config);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dataset\.usersPerGroup: .*>=1/);
  });

  it('should exit 2 on an unknown config key, naming it', async () => {
    const config = join(directory, 'typo.yaml');
    await writeFile(config, 'train:\n  epoch: 3\n');
    const result = await pal('train', '--config', config);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/train: .*"epoch"/);
  });

  it('should exit 2 on an unknown backend name, listing the known ones', async () => {
    const result = await pal('train', '--backend', 'gpu-please', '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/backend: .*"auto"\|"onnx"\|"tfjs"\|"reference"/);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: { name: 'UsageError', message: expect.stringContaining('backend'), exitCode: 2 } });
  });

  it('should exit 2 on an unknown command, option or bad flag value', async () => {
    expect((await pal('trian')).code).toBe(2);
    expect((await pal('train', '--epochz', '3')).code).toBe(2);
    const badValue = await pal('train', '--epochs', 'three');
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('expected a positive integer, found "three"');
    expect((await pal('repro', 'imagenet')).code).toBe(2);
  });

  it('should exit 1 with one line for a missing checkpoint, and show the stack only with --debug', async () => {
    const missing = join(directory, 'no-such-checkpoint');
    const plain = await pal('score', '--checkpoint', missing, '--user', 'u', '--item', 'Yes');
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toContain(join(missing, 'manifest.json'));
    const debug = await pal('score', '--checkpoint', missing, '--user', 'u', '--item', 'Yes', '--debug');
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('should exit 0 for --help and --version', async () => {
    const help = await pal('--help');
    expect(help.code).toBe(0);
    for (const command of ['quickstart', 'train', 'evaluate', 'localize', 'score', 'embed', 'report', 'repro', 'bench']) expect(help.stdout).toContain(command);
    expect((await pal('--version')).stdout.trim()).toBe('0.1.0');
  });
});

describe('pal repro and pal bench (small scale)', () => {
  it('should reproduce the synthetic panels with PAL ahead of K = 1', async () => {
    const result = await pal('repro', 'synthetic', '--scale', 'small', '--backend', 'reference', '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const { panels, reportPath } = JSON.parse(result.stdout);
    expect(panels.map((panel: { id: string }) => panel.id)).toEqual(['synthetic-b', 'synthetic-c', 'synthetic-d']);
    const [pal3, baseline3] = panels[0].series.map((series: { points: { x: number; y: number }[] }) => series.points.find((point) => point.x === 3)!.y);
    expect(pal3 - baseline3).toBeGreaterThan(0.05);
    expect(existsSync(reportPath)).toBe(true);
  });

  it('should reproduce the Personas panels', async () => {
    const result = await pal('repro', 'personas', '--scale', 'small', '--backend', 'reference', '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const { panels } = JSON.parse(result.stdout);
    expect(panels.map((panel: { id: string }) => panel.id)).toEqual(['personas-a', 'personas-b', 'personas-c', 'personas-d']);
    expect(panels[3].series.map((series: { name: string }) => series.name)).toEqual(['K = 1', 'K = 2', 'K = 4']);
  });

  it('should recover the 2-D prototypes better and score higher with K = K* = 3 than with K = 1 (Figure D.1)', async () => {
    const result = await pal('repro', 'ideal-points', '--scale', 'small', '--backend', 'reference', '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const { panels, settings, reportPath } = JSON.parse(result.stdout);
    const partition = panels[0].series.find((series: { name: string }) => series.name === 'partition setting').points as { x: number; y: number }[];
    expect(partition.find((point) => point.x === 3)!.y - partition.find((point) => point.x === 1)!.y).toBeGreaterThan(0.15);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const distances = settings.trueToNearestLearnedPrototype as Record<string, number[]>;
    expect(mean(distances['partition K=3']!)).toBeLessThan(mean(distances['partition K=1']!));
    const html = await readFile(reportPath, 'utf8');
    for (const setting of ['partition', 'mixture']) for (const k of [1, 2, 3]) expect(html).toContain(`data-chart="ideal-points-${setting}-k${k}"`);
  });

  it('should reproduce the PAL-A Personas panels, with a flat unseen curve for K = 1 (Figure D.5)', async () => {
    const result = await pal('repro', 'personas-pal-a', '--scale', 'small', '--backend', 'auto', '--json', ...folders);
    expect(result.code, result.stderr).toBe(0);
    const { panels, settings } = JSON.parse(result.stdout);
    expect(panels.map((panel: { id: string }) => panel.id)).toEqual(['personas-pal-a-a', 'personas-pal-a-b', 'personas-pal-a-c']);
    expect(settings.base.model).toEqual(expect.objectContaining({ kind: 'pal-a', latentDim: settings.base.encoder.dimension, projector: expect.stringMatching(/-residual$/) }));
    const single = panels[2].series.find((series: { name: string }) => series.name === 'K = 1').points.map((point: { y: number }) => point.y);
    expect(Math.max(...single) - Math.min(...single)).toBeLessThan(1e-9);
  });

  it('should measure the reference backend and say which backends are missing', async () => {
    const result = await pal('bench', '--backend', 'reference', '--comparisons', '256', '--epochs', '1', '--json');
    expect(result.code, result.stderr).toBe(0);
    const { results } = JSON.parse(result.stdout);
    expect(results).toEqual([expect.objectContaining({ backend: 'reference', available: true })]);
    expect(results[0].comparisonsPerSecond).toBeGreaterThan(0);
  });
});
