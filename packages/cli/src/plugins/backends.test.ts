import { describe, expect, it } from 'vitest';
import { PluginUnavailableError } from '@pal/core';
import { UsageError } from '../cli-errors.js';
import { AUTO_BACKEND_ORDER, loadBackend, resolveBackend } from './backends.js';

describe('resolveBackend', () => {
  it('should pick the first backend of onnx, tfjs, reference that loads, and say why earlier ones were skipped', async () => {
    const loadable: string[] = [];
    for (const name of AUTO_BACKEND_ORDER) {
      if (await loadBackend(name).then(() => true, () => false)) loadable.push(name);
    }
    const resolved = await resolveBackend('auto');
    expect(resolved.name).toBe(loadable[0]);
    expect(resolved.backend.name).toBe(loadable[0]);
    expect(resolved.skipped.map((entry) => entry.name)).toEqual(AUTO_BACKEND_ORDER.slice(0, AUTO_BACKEND_ORDER.indexOf(resolved.name)));
    for (const entry of resolved.skipped) expect(entry.reason).toContain(`backend "${entry.name}" cannot be loaded`);
  });

  it('should load a named backend without trying others', async () => {
    const resolved = await resolveBackend('reference');
    expect(resolved).toMatchObject({ name: 'reference', skipped: [] });
  });

  it('should refuse an unknown name with a usage error listing the known ones', async () => {
    const error = await resolveBackend('cuda').catch((caught: unknown) => caught);
    expect(UsageError.isInstance(error)).toBe(true);
    expect(PluginUnavailableError.isInstance(error)).toBe(false);
    expect((error as Error).message).toBe('[pal] [cli] unknown backend "cuda": expected one of auto, onnx, tfjs, reference');
  });
});
