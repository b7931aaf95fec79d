import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { formatZodIssues, syntheticSettingsSchema } from '@pal/core';
import { personasDatasetSettingsSchema } from '@pal/datasets-personas';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../cli-errors.js';
import { cliConfigSchema, type CliConfig } from './config-schema.js';

/** A plain JSON-like object. */
export type ConfigObject = Record<string, unknown>;

function isObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a JSON or YAML config file (by extension; other extensions are tried as JSON, then YAML). */
export async function readConfigFile(path: string): Promise<ConfigObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`config file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, { source: 'cli', cause: error });
  }
  const extension = extname(path).toLowerCase();
  let value: unknown;
  try {
    value = extension === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const kind = extension === '.json' ? 'JSON' : 'YAML';
    throw new UsageError(`config file ${path}: not valid ${kind} (${(error as Error).message.split('\n')[0]})`, { source: 'cli', cause: error });
  }
  if (value === null || value === undefined) return {};
  if (!isObject(value)) throw new UsageError(`config file ${path}: expected a mapping of settings at the top level, found ${Array.isArray(value) ? 'a list' : typeof value}`, { source: 'cli' });
  return value;
}

/**
 * Merges config layers, later ones winning. Objects merge key by key, except that a section whose `kind`
 * changes (say `--dataset synthetic` over a file's personas settings) is replaced whole.
 */
export function mergeConfig(...layers: ConfigObject[]): ConfigObject {
  const merged: ConfigObject = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const current = merged[key];
      if (isObject(current) && isObject(value) && (value.kind === undefined || value.kind === current.kind)) merged[key] = mergeConfig(current, value);
      else merged[key] = value;
    }
  }
  return merged;
}

/** Validates one config section, throwing a UsageError whose fields carry the section's path (e.g. `dataset.seed`). */
export function checkConfigSection<Schema extends z.ZodType>(schema: Schema, value: unknown, where: string, prefix = ''): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ ...issue, path: [...(prefix ? [prefix] : []), ...issue.path] }));
    throw new UsageError(`${where}: ${formatZodIssues({ issues } as z.ZodError)}`, { source: 'cli', cause: result.error });
  }
  return result.data;
}

/**
 * Validates a merged config: first the CLI's own schema, then each plugin-owned section with its plugin's
 * schema, so a bad field is reported with its full path (e.g. `dataset.usersPerGroup`).
 */
export function validateConfig(raw: ConfigObject, where: string): CliConfig {
  const config = checkConfigSection(cliConfigSchema, raw, where);
  const { kind, ...settings } = config.dataset;
  if (kind === 'personas') checkConfigSection(personasDatasetSettingsSchema, settings, where, 'dataset');
  if (kind === 'synthetic') checkConfigSection(syntheticSettingsSchema.strict(), settings, where, 'dataset');
  return config;
}

/** Defaults, then an optional preset, then the config file, then flags; validated as one. */
export async function resolveConfig(options: { file?: string; preset?: ConfigObject; flags?: ConfigObject }): Promise<CliConfig> {
  const fromFile = options.file ? await readConfigFile(options.file) : {};
  const where = options.file ? `config file ${options.file}` : 'config';
  return validateConfig(mergeConfig(options.preset ?? {}, fromFile, options.flags ?? {}), where);
}
