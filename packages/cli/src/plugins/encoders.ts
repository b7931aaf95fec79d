import { createHashingTextEncoder, type EncoderV1 } from '@pal/core';
import { checkConfigSection } from '../config/load-config.js';
import type { CliConfig } from '../config/config-schema.js';

/** Builds the configured encoder; the ONNX text encoder is imported only when asked for. */
export async function createEncoder(config: CliConfig['encoder']): Promise<EncoderV1> {
  if (config.kind === 'hashing') {
    const { kind: _kind, ...settings } = config;
    return createHashingTextEncoder(settings);
  }
  const { kind: _kind, ...settings } = config;
  const module = await import('@pal/encoder-onnx');
  return module.createOnnxTextEncoder(checkConfigSection(module.onnxTextEncoderSettingsSchema, settings, 'config', 'encoder'));
}

/** The settings that rebuild an encoder, stored in checkpoint provenance so `pal score` embeds like training did. */
export function encoderProvenance(config: CliConfig['encoder']): Record<string, unknown> {
  return { ...config };
}
