import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InvalidArgumentError, PalError, atomicWriteFile, parseOptions, PluginUnavailableError } from '@pal/core';
import { z } from 'zod';

/** One file a model needs: the first candidate path that exists is used. */
export interface ModelFileRequirement {
  /** Name the resolved path is returned under, e.g. `tokenizer`. */
  name: string;
  /** Paths inside the model folder or repository, in order of preference. */
  candidates: string[];
  required: boolean;
}

/** Where model files come from when `model` is a Hugging Face repo id, and how to reach the Hub. */
export const modelSourceSettingsSchema = z.object({
  /** A local model folder, or a Hugging Face model repo id such as `Xenova/all-MiniLM-L6-v2`. */
  model: z.string().min(1),
  /** Branch, tag or commit of a Hub repo; a commit hash pins the files exactly. */
  revision: z.string().min(1).default('main'),
  /** Hugging Face cache folder (same layout as Python's); defaults to HF_HUB_CACHE / ~/.cache/huggingface/hub. */
  cacheDirectory: z.string().min(1).optional(),
  /** fetch used for every Hub request (proxies, tests); defaults to the global fetch. */
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function', 'expected a fetch function').optional(),
  /** Hub token for gated or private repos; defaults to the HF_TOKEN environment variable. */
  accessToken: z.string().min(1).optional(),
  hubUrl: z.string().url().optional(),
});

/** Settings of `resolveModel`. */
export const resolveModelSettingsSchema = modelSourceSettingsSchema
  .extend({
    files: z.array(z.object({ name: z.string().min(1), candidates: z.array(z.string().min(1)).min(1), required: z.boolean() })).min(1),
  })
  .strict();
/** Settings accepted by `resolveModel`. */
export type ResolveModelSettings = z.input<typeof resolveModelSettingsSchema>;

/** A model whose files are all on local disk. */
export interface ResolvedModel {
  source: 'folder' | 'hub';
  /** The folder holding the files (a Hub snapshot folder for `hub`). */
  directory: string;
  /** Commit of the Hub snapshot; undefined for a local folder. */
  commit: string | undefined;
  /** Absolute path of each resolved file by requirement name (absent optional files are missing). */
  files: Record<string, string>;
  /** Path inside the folder of each resolved file by requirement name. */
  relativeFiles: Record<string, string>;
  /**
   * Identity of the model's content for cache keys: `hf:<repo>@<commit>` for Hub snapshots, a SHA-256
   * over the files' bytes for folders (so moving a folder keeps its cache and editing a file does not).
   */
  fingerprint: string;
}

const COMMIT_PATTERN = /^[0-9a-f]{40}$/;
const REPO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/**
 * Finds a model's files: in a local folder, or in the Hugging Face cache, downloading what is missing
 * with `@huggingface/hub`. A Hub model resolved once resolves again from the cache without any request.
 */
export async function resolveModel(settings: ResolveModelSettings): Promise<ResolvedModel> {
  const options = parseOptions(resolveModelSettingsSchema, settings, 'model settings');
  const folder = await directoryExists(options.model);
  if (folder) return resolveFolder(resolve(options.model), options.files);
  if (looksLikePath(options.model) || !REPO_ID_PATTERN.test(options.model)) {
    throw new PluginUnavailableError(
      `model folder ${options.model} does not exist; pass an existing folder with ${describeFiles(options.files)}, or a Hugging Face repo id such as 'Xenova/all-MiniLM-L6-v2'`,
      { source: 'encoder-onnx' },
    );
  }
  return resolveHubModel(options);
}

async function directoryExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function looksLikePath(model: string): boolean {
  return isAbsolute(model) || model.startsWith('.') || model.startsWith('~') || model.includes('\\') || model.split('/').length > 2;
}

function describeFiles(files: ModelFileRequirement[]): string {
  return files
    .filter((file) => file.required)
    .map((file) => file.candidates.join(' or '))
    .join(', ');
}

async function findFiles(directory: string, files: ModelFileRequirement[]): Promise<{ found: Record<string, string>; missing: ModelFileRequirement[] }> {
  const found: Record<string, string> = {};
  const missing: ModelFileRequirement[] = [];
  for (const file of files) {
    let chosen: string | undefined;
    for (const candidate of file.candidates) {
      if (await fileExists(join(directory, candidate))) {
        chosen = candidate;
        break;
      }
    }
    if (chosen !== undefined) found[file.name] = chosen;
    else if (file.required) missing.push(file);
  }
  return { found, missing };
}

async function resolveFolder(directory: string, files: ModelFileRequirement[]): Promise<ResolvedModel> {
  const { found, missing } = await findFiles(directory, files);
  if (missing.length > 0) {
    throw new PluginUnavailableError(
      `model folder ${directory} is missing ${missing.map((file) => file.candidates.join(' or ')).join(', ')}; ` +
        `export the model to ONNX (see docs/guides/bring-your-own-encoder.md) so the folder holds ${describeFiles(files)}`,
      { source: 'encoder-onnx' },
    );
  }
  return {
    source: 'folder',
    directory,
    commit: undefined,
    files: absolute(directory, found),
    relativeFiles: found,
    fingerprint: await fingerprintFiles(directory, found),
  };
}

function absolute(directory: string, relative: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(relative).map(([name, path]) => [name, join(directory, path)]));
}

/** SHA-256 over the names and bytes of the files, streamed (ONNX files can be gigabytes). */
async function fingerprintFiles(directory: string, files: Record<string, string>): Promise<string> {
  const hash = createHash('sha256');
  for (const path of Object.values(files).sort()) {
    hash.update(`${path}\u0000`);
    for await (const chunk of createReadStream(join(directory, path))) hash.update(chunk as Buffer);
    hash.update('\u0000');
  }
  return `sha256:${hash.digest('hex').slice(0, 32)}`;
}

type HubSettings = z.output<typeof resolveModelSettingsSchema>;

async function resolveHubModel(options: HubSettings): Promise<ResolvedModel> {
  const hub = await import('@huggingface/hub');
  const repo = { type: 'model' as const, name: options.model };
  const cacheDirectory = options.cacheDirectory ?? hub.getHFHubCachePath();
  const storage = join(cacheDirectory, hub.getRepoFolderName(repo));
  const refPath = join(storage, 'refs', options.revision);

  // Offline first: a revision resolved before points at a snapshot that may already hold every file.
  const knownCommit = COMMIT_PATTERN.test(options.revision) ? options.revision : await readRef(refPath);
  if (knownCommit !== undefined) {
    const snapshot = join(storage, 'snapshots', knownCommit);
    const { found, missing } = await findFiles(snapshot, options.files);
    if (missing.length === 0) return hubResult(options.model, snapshot, knownCommit, found);
  }

  const accessToken = options.accessToken ?? process.env['HF_TOKEN'];
  const request = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(accessToken ? { accessToken } : {}),
    ...(options.hubUrl ? { hubUrl: options.hubUrl } : {}),
  };
  try {
    const commit = COMMIT_PATTERN.test(options.revision)
      ? options.revision
      : (await hub.modelInfo({ name: options.model, revision: options.revision, additionalFields: ['sha'], ...request })).sha;
    if (typeof commit !== 'string' || !COMMIT_PATTERN.test(commit)) {
      throw new PluginUnavailableError(`the Hub answered for ${options.model}@${options.revision} without a commit hash (found ${String(commit)})`, { source: 'encoder-onnx' });
    }
    const candidates = [...new Set(options.files.flatMap((file) => file.candidates))];
    const present = new Set((await hub.pathsInfo({ repo, paths: candidates, revision: commit, ...request })).filter((info) => info.type === 'file').map((info) => info.path));
    const chosen: Record<string, string> = {};
    const missing: ModelFileRequirement[] = [];
    for (const file of options.files) {
      const candidate = file.candidates.find((path) => present.has(path));
      if (candidate !== undefined) chosen[file.name] = candidate;
      else if (file.required) missing.push(file);
    }
    if (missing.length > 0) {
      throw new PluginUnavailableError(
        `Hub model ${options.model}@${options.revision} has no ${missing.map((file) => file.candidates.join(' or ')).join(', ')}; ` +
          `pick a repository with an ONNX export (e.g. the Xenova/* or onnx-community/* ones), or export it yourself (docs/guides/bring-your-own-encoder.md) and pass the folder`,
        { source: 'encoder-onnx' },
      );
    }
    for (const path of Object.values(chosen)) {
      await hub.downloadFileToCacheDir({ repo, path, revision: commit, cacheDir: cacheDirectory, ...request });
    }
    if (options.revision !== commit) {
      await mkdir(dirname(refPath), { recursive: true });
      await atomicWriteFile(refPath, commit);
    }
    return hubResult(options.model, join(storage, 'snapshots', commit), commit, chosen);
  } catch (error) {
    if (PalError.isInstance(error)) throw error;
    throw hubFailure(options, cacheDirectory, error);
  }
}

async function readRef(path: string): Promise<string | undefined> {
  try {
    const commit = (await readFile(path, 'utf8')).trim();
    return COMMIT_PATTERN.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

function hubResult(model: string, directory: string, commit: string, relativeFiles: Record<string, string>): ResolvedModel {
  return { source: 'hub', directory, commit, files: absolute(directory, relativeFiles), relativeFiles, fingerprint: `hf:${model}@${commit}` };
}

function hubFailure(options: HubSettings, cacheDirectory: string, error: unknown): PalError {
  const statusCode = typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode: unknown }).statusCode : undefined;
  if (statusCode === 401 || statusCode === 403 || statusCode === 404) {
    return new InvalidArgumentError(
      `Hub model ${options.model}@${options.revision} was not found or is not accessible (HTTP ${statusCode}); check the repo id and revision, and pass accessToken (or set HF_TOKEN) for gated or private repos`,
      { source: 'encoder-onnx', cause: error },
    );
  }
  const wanted = options.files.filter((file) => file.required).map((file) => file.candidates[0]!);
  const name = options.model.split('/').at(-1)!;
  return new PluginUnavailableError(
    `model ${options.model}@${options.revision} is not in the cache folder ${cacheDirectory} and the Hugging Face Hub could not be reached. ` +
      `Missing: ${describeFiles(options.files)}. To work offline, download them on a machine with network access ` +
      `(e.g. \`huggingface-cli download ${options.model} ${wanted.join(' ')} --local-dir ./${name}\`), copy the folder here and pass its path as \`model\`, ` +
      `or copy a Hugging Face cache that holds the model and pass it as \`cacheDirectory\`. ` +
      `(If you meant a local folder: ${resolve(options.model)} does not exist.)`,
    { source: 'encoder-onnx', cause: error },
  );
}
