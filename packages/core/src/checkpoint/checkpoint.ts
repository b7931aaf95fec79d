import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, InvalidCheckpointError } from '../errors/errors.js';
import { PalError } from '../errors/pal-error.js';
import { parseModelDefinition, type ModelDefinition, type ModelDefinitionInput } from '../model/model-definition.js';
import type { NamedWeights } from '../model/named-weights.js';
import { assertWeightsMatchLayout, parameterLayout, type ParameterInfo } from '../model/parameter-layout.js';
import { atomicWriteFile, isAtomicWriteTemporaryFile } from './atomic-write.js';
import {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MANIFEST_FILE,
  checkpointManifestSchema,
  checkpointProvenanceSchema,
  checkpointWeightsFilePattern,
  type CheckpointManifest,
  type CheckpointProvenance,
} from './checkpoint-manifest.js';
import { describeJsonKind, describeZodError } from './describe-zod-issue.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** What `saveCheckpoint` writes: a model definition, its weights in core's layout and the users they cover. */
export interface SaveCheckpointOptions {
  definition: ModelDefinition | ModelDefinitionInput;
  weights: NamedWeights;
  /** Row i of `userLogits` belongs to `userIds[i]`. */
  userIds: string[];
  provenance?: CheckpointProvenance;
}

/** A checkpoint read back from disk, validated end to end. */
export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  definition: ModelDefinition;
  /** Weights in the canonical order of `parameterLayout`. */
  weights: NamedWeights;
  userIds: string[];
}

/**
 * Writes a checkpoint directory (`manifest.json` plus a content-addressed safetensors file) without
 * ever leaving it unloadable: the weights are validated against the layout before anything is written,
 * each file is replaced atomically, the manifest is switched last, and only then are weights files the
 * new manifest does not reference deleted. One writer per directory at a time.
 */
export async function saveCheckpoint(directory: string, options: SaveCheckpointOptions): Promise<CheckpointManifest> {
  const root = resolve(directory);
  const definition = parseModelDefinition(options.definition);
  const userIds = options.userIds;
  const manifestUserIds = checkpointManifestSchema.shape.userIds.safeParse(userIds, { reportInput: true });
  if (!manifestUserIds.success) {
    throw new InvalidArgumentError(`checkpoint ${root}: userIds ${describeZodError(manifestUserIds.error)}`, { cause: manifestUserIds.error });
  }
  const provenance = parseProvenance(root, options.provenance ?? {});
  const layout = parameterLayout(definition, userIds.length);
  assertWeightsMatchLayout(options.weights, layout, `checkpoint ${root}: weights`);
  assertNoExtraTensors(options.weights, layout, (detail) => new InvalidArgumentError(`checkpoint ${root}: weights: ${detail}`));

  const ordered: NamedWeights = {};
  for (const info of layout) ordered[info.name] = options.weights[info.name]!;
  const bytes = encodeSafetensors(ordered, { 'pal.formatVersion': String(CHECKPOINT_FORMAT_VERSION), 'pal.modelKind': definition.kind });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const weightsFile = `weights.${sha256.slice(0, 16)}.safetensors`;
  const manifest: CheckpointManifest = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    library: '@pal/core',
    createdAt: new Date().toISOString(),
    definition,
    userIds: [...userIds],
    provenance,
    weights: { file: weightsFile, sha256, bytes: bytes.length },
  };

  await mkdir(root, { recursive: true });
  await atomicWriteFile(join(root, weightsFile), bytes);
  // The manifest switches to the new weights only once they are durable; atomicWriteFile fsyncs the directory.
  await atomicWriteFile(join(root, CHECKPOINT_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await removeStaleFiles(root, weightsFile);
  return manifest;
}

function parseProvenance(root: string, provenance: CheckpointProvenance): CheckpointProvenance {
  let roundTripped: unknown;
  try {
    roundTripped = JSON.parse(JSON.stringify(provenance));
  } catch (error) {
    throw new InvalidArgumentError(`checkpoint ${root}: provenance must be JSON-serialisable`, { cause: error });
  }
  const parsed = checkpointProvenanceSchema.safeParse(roundTripped, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidArgumentError(`checkpoint ${root}: provenance ${describeZodError(parsed.error)}`, { cause: parsed.error });
  }
  return parsed.data;
}

function assertNoExtraTensors(weights: NamedWeights, layout: ParameterInfo[], toError: (detail: string) => PalError): void {
  const expected = new Set(layout.map((info) => info.name));
  const extra = Object.keys(weights).filter((name) => !expected.has(name));
  if (extra.length > 0) throw toError(`unexpected tensor(s) ${extra.map((name) => `"${name}"`).join(', ')} not in the ${layout.length}-tensor layout`);
}

async function removeStaleFiles(root: string, keep: string): Promise<void> {
  for (const name of await readdir(root)) {
    const stale = (checkpointWeightsFilePattern.test(name) && name !== keep) || isAtomicWriteTemporaryFile(name);
    if (!stale) continue;
    try {
      await unlink(join(root, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * Reads and verifies a checkpoint directory: the manifest against its schema and format version, the
 * weights file's size (truncation) and sha256 (tampering), the safetensors structure, and the weights
 * against the model's layout. Every failure is an InvalidCheckpointError naming the file.
 */
export async function loadCheckpoint(directory: string): Promise<LoadedCheckpoint> {
  const root = resolve(directory);
  const manifestPath = join(root, CHECKPOINT_MANIFEST_FILE);
  const manifest = parseManifest(manifestPath, await readCheckpointFile(manifestPath, root, 'utf8'));
  let definition: ModelDefinition;
  try {
    definition = parseModelDefinition(manifest.definition);
  } catch (error) {
    throw new InvalidCheckpointError(`checkpoint ${manifestPath}: field "definition" is not a valid model definition`, { cause: error });
  }

  const weightsPath = join(root, manifest.weights.file);
  const bytes = await readCheckpointFile(weightsPath, root);
  if (bytes.length < manifest.weights.bytes) {
    throw new InvalidCheckpointError(
      `checkpoint ${weightsPath}: truncated: expected ${manifest.weights.bytes} bytes (from ${CHECKPOINT_MANIFEST_FILE}), found ${bytes.length}`,
    );
  }
  if (bytes.length > manifest.weights.bytes) {
    throw new InvalidCheckpointError(
      `checkpoint ${weightsPath}: tampered: expected ${manifest.weights.bytes} bytes (from ${CHECKPOINT_MANIFEST_FILE}), found ${bytes.length}`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.weights.sha256) {
    throw new InvalidCheckpointError(
      `checkpoint ${weightsPath}: checksum mismatch (tampered or corrupted): expected sha256 ${manifest.weights.sha256}, found ${sha256}`,
    );
  }

  const decoded = decodeSafetensors(bytes, weightsPath);
  const layout = parameterLayout(definition, manifest.userIds.length);
  try {
    assertWeightsMatchLayout(decoded.weights, layout, `checkpoint ${weightsPath}`);
  } catch (error) {
    if (!PalError.isInstance(error)) throw error;
    throw new InvalidCheckpointError(`checkpoint ${weightsPath}: weights do not match the ${definition.kind} layout of ${CHECKPOINT_MANIFEST_FILE}`, {
      cause: error,
    });
  }
  assertNoExtraTensors(decoded.weights, layout, (detail) => new InvalidCheckpointError(`checkpoint ${weightsPath}: ${detail}`));
  const weights: NamedWeights = {};
  for (const info of layout) weights[info.name] = decoded.weights[info.name]!;
  return { manifest: { ...manifest, definition }, definition, weights, userIds: [...manifest.userIds] };
}

async function readCheckpointFile(path: string, root: string, encoding: 'utf8'): Promise<string>;
async function readCheckpointFile(path: string, root: string): Promise<Uint8Array>;
async function readCheckpointFile(path: string, root: string, encoding?: 'utf8'): Promise<string | Uint8Array> {
  try {
    return encoding ? await readFile(path, encoding) : new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new InvalidCheckpointError(`checkpoint ${path}: cannot be read (${code ?? 'unknown error'})`, { cause: error });
    const directoryExists = await stat(root).then((info) => info.isDirectory(), () => false);
    const detail = directoryExists ? 'missing' : `missing: ${root} is not a directory`;
    throw new InvalidCheckpointError(`checkpoint ${path}: ${detail}`, { cause: error });
  }
}

function parseManifest(manifestPath: string, text: string): CheckpointManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidCheckpointError(`checkpoint ${manifestPath}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidCheckpointError(`checkpoint ${manifestPath}: expected a JSON object, found ${describeJsonKind(raw)}`);
  }
  const version = (raw as Record<string, unknown>).formatVersion;
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    const hint =
      typeof version === 'number' && version > CHECKPOINT_FORMAT_VERSION
        ? ' (written by a newer @pal/core: upgrade to read it)'
        : '';
    throw new InvalidCheckpointError(
      `checkpoint ${manifestPath}: field "formatVersion": expected ${CHECKPOINT_FORMAT_VERSION}, found ${JSON.stringify(version) ?? 'nothing'}${hint}`,
    );
  }
  const parsed = checkpointManifestSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidCheckpointError(`checkpoint ${manifestPath}: ${describeZodError(parsed.error)}`, { cause: parsed.error });
  }
  return parsed.data;
}
