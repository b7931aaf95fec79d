import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, PluginUnavailableError } from '@pal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxTextEncoder, textModelFiles } from './onnx-text-encoder.js';
import { resolveModel } from './resolve-model.js';
import { createLocalHubFetch } from './testing/local-hub-fetch.js';
import { writeTinyTextModel } from './testing/tiny-text-model.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
let root: string;
let modelDirectory: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pal-resolve-model-'));
  modelDirectory = await writeTinyTextModel(join(root, 'tiny-bert'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveModel', () => {
  it('should find the files of a local folder, preferring the first candidate that exists', async () => {
    const resolved = await resolveModel({ model: modelDirectory, files: textModelFiles() });
    expect(resolved.source).toBe('folder');
    expect(resolved.relativeFiles).toEqual({ tokenizer: 'tokenizer.json', tokenizerConfig: 'tokenizer_config.json', config: 'config.json', onnx: 'onnx/model.onnx' });
    expect(resolved.files['onnx']).toBe(join(modelDirectory, 'onnx', 'model.onnx'));
    expect(resolved.fingerprint).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it('should name the missing files of an incomplete folder', async () => {
    const folder = await writeTinyTextModel(join(root, 'incomplete'));
    await unlink(join(folder, 'tokenizer.json'));
    const attempt = resolveModel({ model: folder, files: textModelFiles() });
    await expect(attempt).rejects.toThrow(PluginUnavailableError);
    await expect(resolveModel({ model: folder, files: textModelFiles() })).rejects.toThrow(/is missing tokenizer\.json/);
    await expect(resolveModel({ model: './does/not/exist', files: textModelFiles() })).rejects.toThrow(/model folder \.\/does\/not\/exist does not exist/);
  });

  it('should download a Hub model into the cache folder with the real client, then resolve it again without any request', async () => {
    const cacheDirectory = join(root, 'hub-cache');
    const hub = await createLocalHubFetch({ repos: { 'pal-test/tiny-bert': modelDirectory }, commit: COMMIT });
    const first = await resolveModel({ model: 'pal-test/tiny-bert', files: textModelFiles(), cacheDirectory, fetch: hub.fetch });
    expect(first.source).toBe('hub');
    expect(first.commit).toBe(COMMIT);
    expect(first.directory).toBe(join(cacheDirectory, 'models--pal-test--tiny-bert', 'snapshots', COMMIT));
    expect(first.fingerprint).toBe(`hf:pal-test/tiny-bert@${COMMIT}`);
    for (const [name, path] of Object.entries(first.files)) {
      expect((await stat(path)).isFile(), name).toBe(true);
      expect((await readFile(path)).equals(await readFile(join(modelDirectory, first.relativeFiles[name]!)))).toBe(true);
    }
    expect(await readFile(join(cacheDirectory, 'models--pal-test--tiny-bert', 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect(hub.requests.length).toBeGreaterThan(0);

    const before = hub.requests.length;
    const second = await resolveModel({ model: 'pal-test/tiny-bert', files: textModelFiles(), cacheDirectory, fetch: hub.fetch });
    expect(hub.requests.length).toBe(before);
    expect(second.files).toEqual(first.files);

    const pinned = await resolveModel({ model: 'pal-test/tiny-bert', revision: COMMIT, files: textModelFiles(), cacheDirectory, fetch: hub.fetch });
    expect(hub.requests.length).toBe(before);
    expect(pinned.directory).toBe(first.directory);
  });

  it('should load an encoder from a Hub repo id that embeds exactly like the same folder', async () => {
    const hub = await createLocalHubFetch({ repos: { 'pal-test/tiny-bert': modelDirectory }, commit: COMMIT });
    const fromHub = await createOnnxTextEncoder({ model: 'pal-test/tiny-bert', cacheDirectory: join(root, 'hub-cache-2'), fetch: hub.fetch });
    const fromFolder = await createOnnxTextEncoder({ model: modelDirectory });
    const texts = ['the cat sat on the mat', 'a short post'];
    const a = (await fromHub.doEncode(texts)).embeddings;
    const b = (await fromFolder.doEncode(texts)).embeddings;
    expect([...a.data]).toEqual([...b.data]);
    expect(fromHub.id).toContain(`hf:pal-test/tiny-bert@${COMMIT}`);
    await fromHub.close();
    await fromFolder.close();
  });

  it('should explain which files are missing and how to provide them when the Hub cannot be reached', async () => {
    const offline = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const attempt = resolveModel({ model: 'sentence-transformers/all-MiniLM-L6-v2', files: textModelFiles(), cacheDirectory: join(root, 'empty-cache'), fetch: offline });
    await expect(attempt).rejects.toThrow(PluginUnavailableError);
    const error = (await resolveModel({ model: 'sentence-transformers/all-MiniLM-L6-v2', files: textModelFiles(), cacheDirectory: join(root, 'empty-cache'), fetch: offline }).then(
      () => new Error('expected a failure'),
      (caught: unknown) => caught,
    )) as Error;
    expect(error.message).toContain('is not in the cache folder');
    expect(error.message).toContain('Missing: tokenizer.json, onnx/model.onnx or model.onnx');
    expect(error.message).toContain('huggingface-cli download sentence-transformers/all-MiniLM-L6-v2 tokenizer.json onnx/model.onnx --local-dir ./all-MiniLM-L6-v2');
    expect((error.cause as Error).message).toBe('fetch failed');
  });

  it('should report an unknown repo and a repo without an ONNX export as such', async () => {
    const hub = await createLocalHubFetch({ repos: { 'pal-test/tiny-bert': modelDirectory }, commit: COMMIT });
    await expect(resolveModel({ model: 'pal-test/nothing-here', files: textModelFiles(), cacheDirectory: join(root, 'cache-3'), fetch: hub.fetch })).rejects.toThrow(InvalidArgumentError);
    await expect(
      resolveModel({ model: 'pal-test/tiny-bert', files: textModelFiles('onnx/model_quantized.onnx'), cacheDirectory: join(root, 'cache-3'), fetch: hub.fetch }),
    ).rejects.toThrow(/has no onnx\/model_quantized\.onnx/);
  });
});
