import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, InvalidCheckpointError } from '../errors/errors.js';
import { initializeWeights } from '../model/initialize-weights.js';
import { parseModelDefinition, type ModelDefinition } from '../model/model-definition.js';
import { cloneWeights, type NamedWeights } from '../model/named-weights.js';
import { parameterLayout } from '../model/parameter-layout.js';
import { atomicWriteFile } from './atomic-write.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

const palA = parseModelDefinition({ kind: 'pal-a', numPrototypes: 3, itemDim: 8, promptDim: 4, latentDim: 6, projector: 'mlp2-gelu-dropout0' });
const palB = parseModelDefinition({ kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 5, latentDim: 4, promptProjector: 'mlp0-linear-dropout0' });
const userIds = ['alice', 'bob', 'carol', 'dave', 'erin'];

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pal-checkpoint-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function expectBitIdentical(actual: NamedWeights, expected: NamedWeights): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [name, tensor] of Object.entries(expected)) {
    expect(actual[name]!.shape).toEqual(tensor.shape);
    expect(Buffer.from(actual[name]!.data.buffer, actual[name]!.data.byteOffset, actual[name]!.data.byteLength)).toEqual(
      Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
    );
  }
}

/** Every file in the directory with its bytes, to prove a failed save touched nothing. */
async function snapshot(path: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(path)).sort()) files[name] = createHash('sha256').update(await readFile(join(path, name))).digest('hex');
  return files;
}

async function expectLoadError(pattern: RegExp): Promise<InvalidCheckpointError> {
  const error = await loadCheckpoint(directory).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(InvalidCheckpointError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
  return error as InvalidCheckpointError;
}

async function saveSmall(definition: ModelDefinition = palA, seed = 1) {
  const weights = initializeWeights(definition, userIds.length, seed);
  const manifest = await saveCheckpoint(directory, { definition, weights, userIds, provenance: { backend: 'reference', seed, metrics: { loss: 0.5 } } });
  return { weights, manifest };
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it.each([
    ['PAL-A', palA],
    ['PAL-B', palB],
  ])('should round-trip %s weights bit for bit with the definition, users and provenance', async (_, definition) => {
    const { weights, manifest } = await saveSmall(definition, 7);
    const loaded = await loadCheckpoint(directory);
    expectBitIdentical(loaded.weights, weights);
    expect(Object.keys(loaded.weights)).toEqual(parameterLayout(definition, userIds.length).map((info) => info.name));
    expect(loaded.definition).toEqual(definition);
    expect(loaded.userIds).toEqual(userIds);
    expect(loaded.manifest).toEqual(manifest);
    expect(manifest).toMatchObject({ formatVersion: 1, library: '@pal/core', provenance: { backend: 'reference', seed: 7, metrics: { loss: 0.5 } } });
    expect(new Date(manifest.createdAt).toISOString()).toBe(manifest.createdAt);
  });

  it('should name the weights file after its sha256 and record its size, with nothing else left in the directory', async () => {
    const { manifest } = await saveSmall();
    const bytes = await readFile(join(directory, manifest.weights.file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(manifest.weights).toEqual({ file: `weights.${sha256.slice(0, 16)}.safetensors`, sha256, bytes: bytes.length });
    expect((await readdir(directory)).sort()).toEqual([manifest.weights.file, 'manifest.json'].sort());
    const onDisk = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual(manifest);
  });

  it('should replace an older checkpoint and delete the weights file it no longer references', async () => {
    const first = await saveSmall(palA, 1);
    const second = await saveSmall(palA, 2);
    expect(second.manifest.weights.file).not.toBe(first.manifest.weights.file);
    expect((await readdir(directory)).sort()).toEqual([second.manifest.weights.file, 'manifest.json'].sort());
    expectBitIdentical((await loadCheckpoint(directory)).weights, second.weights);
  });

  it('should reject weights with a wrong shape or an unknown tensor before writing, leaving the previous checkpoint untouched', async () => {
    const { weights } = await saveSmall();
    const before = await snapshot(directory);
    const transposed = cloneWeights(weights);
    transposed['projector.0.weight']!.shape = [12, 6];
    await expect(saveCheckpoint(directory, { definition: palA, weights: transposed, userIds })).rejects.toThrow(
      /weights: tensor "projector.0.weight" expected shape \[6,12\], found \[12,6\]/,
    );
    await expect(saveCheckpoint(directory, { definition: palA, weights, userIds: userIds.slice(1) })).rejects.toThrow(DimensionMismatchError);
    const extra = { ...cloneWeights(weights), 'projector.9.weight': { shape: [1], data: new Float32Array(1) } };
    await expect(saveCheckpoint(directory, { definition: palA, weights: extra, userIds })).rejects.toThrow(/unexpected tensor\(s\) "projector.9.weight"/);
    await expect(saveCheckpoint(directory, { definition: palA, weights, userIds: [...userIds.slice(1), 'bob'] })).rejects.toThrow(InvalidArgumentError);
    expect(await snapshot(directory)).toEqual(before);
    expectBitIdentical((await loadCheckpoint(directory)).weights, weights);

    const fresh = join(directory, 'never-created');
    await expect(saveCheckpoint(fresh, { definition: palA, weights: transposed, userIds })).rejects.toThrow(DimensionMismatchError);
    expect(existsSync(fresh)).toBe(false);
  });

  it('should report a truncated weights file as truncated', async () => {
    const { manifest } = await saveSmall();
    const path = join(directory, manifest.weights.file);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 10));
    await expectLoadError(new RegExp(`${manifest.weights.file}: truncated: expected ${bytes.length} bytes .*found ${bytes.length - 10}`));
  });

  it('should report one flipped byte as a checksum mismatch and appended bytes as tampering', async () => {
    const { manifest } = await saveSmall();
    const path = join(directory, manifest.weights.file);
    const bytes = await readFile(path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0x01;
    await writeFile(path, flipped);
    await expectLoadError(/checksum mismatch \(tampered or corrupted\): expected sha256 [0-9a-f]{64}, found [0-9a-f]{64}/);
    await writeFile(path, Buffer.concat([bytes, Buffer.from([0])]));
    await expectLoadError(/tampered: expected \d+ bytes/);
  });

  it('should name the field of a tampered manifest, with what was expected and what was found', async () => {
    await saveSmall();
    const manifestPath = join(directory, 'manifest.json');
    const original = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    const cases: [string, string][] = [
      ['{"formatVersion": 1,', `checkpoint ${manifestPath}: not valid JSON`],
      [JSON.stringify({ ...original, userIds: 5 }), `[pal] checkpoint ${manifestPath}: field "userIds": expected array, found number`],
      [JSON.stringify({ ...original, formatVersion: 2 }), `checkpoint ${manifestPath}: field "formatVersion": expected 1, found 2 (written by a newer @pal/core`],
      [JSON.stringify({ ...original, formatVersion: undefined }), `field "formatVersion": expected 1, found nothing`],
      [JSON.stringify({ ...original, createdAt: 'yesterday' }), `field "createdAt": expected a datetime string, found "yesterday"`],
      [JSON.stringify({ ...original, weights: { ...(original.weights as object), file: '../elsewhere.safetensors' } }), `field "weights.file": expected a string matching`],
      [JSON.stringify({ ...original, definition: { ...(original.definition as object), latentDim: '6' } }), `field "definition.latentDim": expected number, found string`],
      [JSON.stringify([original]), `expected a JSON object, found array`],
    ];
    for (const [text, message] of cases) {
      await writeFile(manifestPath, text);
      const error = await expectLoadError(/./);
      expect(error.message).toContain(message);
    }
  });

  it('should reject weights that do not match the layout the manifest describes', async () => {
    await saveSmall();
    const manifestPath = join(directory, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { userIds: string[] };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, userIds: manifest.userIds.slice(1) }));
    const error = await expectLoadError(/weights do not match the pal-a layout/);
    expect(DimensionMismatchError.isInstance(error.cause)).toBe(true);
    expect((error.cause as Error).message).toMatch(/tensor "userLogits" expected shape \[4,3\], found \[5,3\]/);
  });

  it('should say which file is missing', async () => {
    await expectLoadError(new RegExp(`checkpoint ${join(directory, 'manifest.json')}: missing`));
    await expectLoadError(/missing$/);
    await expect(loadCheckpoint(join(directory, 'nope'))).rejects.toThrow(/missing: .*nope is not a directory/);
    const { manifest } = await saveSmall();
    await rm(join(directory, manifest.weights.file));
    await expectLoadError(new RegExp(`${manifest.weights.file}: missing`));
  });

  it('should ignore weights and temporary files left by a crash between writes, and clean them on the next save', async () => {
    const { weights, manifest } = await saveSmall(palA, 1);
    const orphan = 'weights.0123456789abcdef.safetensors';
    await writeFile(join(directory, orphan), 'partial');
    await writeFile(join(directory, `.manifest.json.4242-0123456789ab.tmp`), '{');
    await writeFile(join(directory, 'notes.txt'), 'mine');
    const loaded = await loadCheckpoint(directory);
    expect(loaded.manifest).toEqual(manifest);
    expectBitIdentical(loaded.weights, weights);
    const next = await saveSmall(palA, 2);
    expect((await readdir(directory)).sort()).toEqual([next.manifest.weights.file, 'manifest.json', 'notes.txt'].sort());
  });

  it('should leave the previous checkpoint loadable when the saving process is killed mid-write', async () => {
    const distIndex = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    if (!existsSync(distIndex)) throw new Error(`${distIndex} is missing: run \`pnpm build\` before the tests (the child process imports the built package)`);
    const { weights, manifest } = await saveSmall(palB, 3);
    const script = fileURLToPath(new URL('./__fixtures__/save-large-checkpoint.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, distIndex, directory], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    let finished = false;
    void exited.then(() => (finished = true));

    let temporary: string | undefined;
    while (!temporary && !finished) {
      temporary = (await readdir(directory)).find((name) => name.startsWith('.weights.') && name.endsWith('.tmp'));
      if (!temporary) await new Promise((wait) => setTimeout(wait, 2));
    }
    child.kill('SIGKILL');
    const code = await exited;
    if (!temporary) throw new Error(`the child finished (exit ${code}) before its temporary weights file was seen: ${output}`);

    const names = await readdir(directory);
    expect(names).toContain(temporary);
    expect(names.filter((name) => name.startsWith('weights.'))).toEqual([manifest.weights.file]);
    const loaded = await loadCheckpoint(directory);
    expect(loaded.manifest).toEqual(manifest);
    expectBitIdentical(loaded.weights, weights);

    await saveSmall(palB, 4);
    expect((await readdir(directory)).some((name) => name.endsWith('.tmp'))).toBe(false);
  });
});

describe('atomicWriteFile', () => {
  it('should replace a file in place and leave no temporary file behind', async () => {
    const path = join(directory, 'state.json');
    await atomicWriteFile(path, 'old');
    await atomicWriteFile(path, new Uint8Array([110, 101, 119]));
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(directory)).toEqual(['state.json']);
  });

  it('should fail without touching the target when the write cannot happen', async () => {
    await expect(atomicWriteFile(join(directory, 'missing-folder', 'state.json'), 'x')).rejects.toThrow(/ENOENT/);
    const target = join(directory, 'target');
    await atomicWriteFile(target, 'kept');
    await expect(atomicWriteFile(target, 5 as unknown as string)).rejects.toThrow();
    expect(await readFile(target, 'utf8')).toBe('kept');
    expect(await readdir(directory)).toEqual(['target']);
  });
});
