import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../cli-errors.js';
import { mergeConfig, resolveConfig } from './load-config.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pal-config-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('config files', () => {
  it('should read the same settings from YAML and JSON and fill the defaults', async () => {
    const settings = { name: 'a', dataset: { kind: 'personas', numGroups: 3 }, model: { numPrototypes: 3 }, train: { epochs: 2 } };
    await writeFile(join(directory, 'a.json'), JSON.stringify(settings));
    await writeFile(join(directory, 'a.yml'), 'name: a\ndataset: { kind: personas, numGroups: 3 }\nmodel:\n  numPrototypes: 3\ntrain:\n  epochs: 2\n');
    const fromJson = await resolveConfig({ file: join(directory, 'a.json') });
    const fromYaml = await resolveConfig({ file: join(directory, 'a.yml') });
    expect(fromYaml).toEqual(fromJson);
    expect(fromJson).toMatchObject({ backend: 'auto', encoder: { kind: 'hashing', dimension: 1024 }, model: { kind: 'pal-b', numPrototypes: 3, latentDim: 16 }, train: { epochs: 2, batchSize: 256 } });
  });

  it('should let flags override the file and replace a section whose kind changes', async () => {
    await writeFile(join(directory, 'b.yaml'), 'backend: onnx\ndataset: { kind: personas, usersPerGroup: 7 }\n');
    const config = await resolveConfig({ file: join(directory, 'b.yaml'), flags: { backend: 'reference', dataset: { kind: 'synthetic' } } });
    expect(config.backend).toBe('reference');
    expect(config.dataset).toEqual({ kind: 'synthetic' });
    expect(mergeConfig({ train: { epochs: 1, seed: 3 } }, { train: { epochs: 5 } })).toEqual({ train: { epochs: 5, seed: 3 } });
  });

  it('should report unreadable files and invalid YAML as usage errors naming the file', async () => {
    const missing = await resolveConfig({ file: join(directory, 'none.yaml') }).catch((error: unknown) => error);
    expect(UsageError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toMatch(/none\.yaml: cannot be read \(ENOENT\)/);
    await writeFile(join(directory, 'broken.yaml'), 'model: [1, 2\n');
    await expect(resolveConfig({ file: join(directory, 'broken.yaml') })).rejects.toThrow(/broken\.yaml: not valid YAML/);
    await writeFile(join(directory, 'list.yaml'), '- 1\n- 2\n');
    await expect(resolveConfig({ file: join(directory, 'list.yaml') })).rejects.toThrow(/expected a mapping of settings at the top level, found a list/);
  });

  it('should name nested fields of core options and synthetic settings', async () => {
    await expect(resolveConfig({ flags: { train: { optimizer: { groups: { projectors: { learningRate: -1 } } } } } })).rejects.toThrow(/train\.optimizer\.groups\.projectors\.learningRate: .*>=0/);
    await expect(resolveConfig({ flags: { dataset: { kind: 'synthetic', dimensions: 4 } } })).rejects.toThrow(/dataset: .*"dimensions"/);
  });
});
