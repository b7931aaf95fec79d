import type { CliConfig } from '../config/config-schema.js';
import type { Output } from '../output/output.js';
import { resolveBackend } from '../plugins/backends.js';
import type { RunContext } from './pipeline.js';

/** Loads the configured backend (noting which ones `auto` skipped and why) and bundles what commands share. */
export async function openContext(config: CliConfig, output: Output): Promise<RunContext> {
  const backend = await resolveBackend(config.backend);
  for (const skipped of backend.skipped) output.info(`backend ${skipped.name} skipped: ${skipped.reason}`);
  output.info(`backend: ${backend.name}${config.backend === 'auto' ? ' (auto)' : ''}`);
  return { config, output, backend, signal: output.io.signal };
}
