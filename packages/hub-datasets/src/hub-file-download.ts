import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { downloadFile, fileDownloadInfo, type FileDownloadInfoOutput } from '@huggingface/hub';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-file.js';
import { repositoryRevisionDirectory, resolveCacheDirectory } from './cache-directory.js';
import { isNetworkFailure, resolveHubConnection, type HubConnectionSettings, type ResolvedHubConnection } from './hub-connection.js';
import { DatasetDownloadError } from './hub-datasets-errors.js';

const source = 'hub-datasets';

/** One file of a dataset repository to fetch. */
export interface HubFileRequest {
  /** `owner/name` of a dataset repository. */
  repository: string;
  /** Branch, tag, `refs/convert/parquet` or a commit hash; defaults to `main`. */
  revision?: string;
  /** Path inside the repository. */
  path: string;
  /** Size the listing announced; a cached file of another size is downloaded again. */
  expectedSize?: number;
  /** SHA-256 of the content (Git LFS oid) when known; the download is checked against it. */
  sha256?: string;
}

/** A file that is complete on disk. */
export interface HubFile {
  repository: string;
  revision: string;
  path: string;
  localPath: string;
  size: number;
  /** Whether this call downloaded bytes (false: served from the cache or a manually placed file). */
  downloaded: boolean;
}

const fileMetadataSchema = z.object({
  etag: z.string().optional(),
  size: z.number().int().nonnegative(),
  sha256: z.string().optional(),
  completedAt: z.string().optional(),
});
type FileMetadata = z.infer<typeof fileMetadataSchema>;

/** Paths of a cached file, its partial download and their bookkeeping files. */
export function cachedFileLocations(cacheDirectory: string, repository: string, revision: string, path: string) {
  const root = repositoryRevisionDirectory(cacheDirectory, repository, revision);
  return {
    root,
    localPath: join(root, path),
    partialPath: join(root, `${path}.part`),
    metadataPath: join(root, '.pal', 'files', `${path}.json`),
    partialMetadataPath: join(root, '.pal', 'files', `${path}.part.json`),
  };
}

async function readMetadata(path: string): Promise<FileMetadata | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = fileMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function hubRepository(repository: string) {
  return { type: 'dataset' as const, name: repository };
}

/**
 * The cached copy of a file when it is complete: a file downloaded earlier (its recorded size matches),
 * or a file a user placed by hand at the cache path (accepted as is; checked against `expectedSize`
 * when the listing gave one).
 */
export async function findCachedHubFile(request: HubFileRequest, cacheDirectory: string): Promise<HubFile | undefined> {
  const revision = request.revision ?? 'main';
  const locations = cachedFileLocations(cacheDirectory, request.repository, revision, request.path);
  const size = await fileSize(locations.localPath);
  if (size === undefined) return undefined;
  if (request.expectedSize !== undefined && size !== request.expectedSize) return undefined;
  const metadata = await readMetadata(locations.metadataPath);
  if (metadata && metadata.size !== size) return undefined;
  if (metadata?.sha256 && request.sha256 && metadata.sha256 !== request.sha256) return undefined;
  return { repository: request.repository, revision, path: request.path, localPath: locations.localPath, size, downloaded: false };
}

/**
 * Downloads one file of a Hub dataset repository into the cache with the @huggingface/hub client, unless
 * a complete copy is already there (then no request is made). An interrupted download leaves a `.part`
 * file; the next call resumes it with a Range request when the Hub still serves the same ETag, and
 * starts over otherwise. Completed downloads are checked (size, and SHA-256 when known) and renamed
 * into place atomically.
 */
export async function downloadHubFile(request: HubFileRequest, settings: HubConnectionSettings = {}): Promise<HubFile> {
  const cacheDirectory = resolveCacheDirectory(settings.cacheDirectory);
  const connection = resolveHubConnection(settings);
  return downloadHubFileWith(request, cacheDirectory, connection);
}

/** `downloadHubFile` with settings already resolved (used by the dataset download to share them). */
export async function downloadHubFileWith(
  request: HubFileRequest,
  cacheDirectory: string,
  connection: ResolvedHubConnection,
): Promise<HubFile> {
  const revision = request.revision ?? 'main';
  const cached = await findCachedHubFile(request, cacheDirectory);
  if (cached) return cached;
  const locations = cachedFileLocations(cacheDirectory, request.repository, revision, request.path);
  const label = `${request.repository}@${revision}:${request.path}`;
  if (connection.offline) {
    throw new DatasetDownloadError(
      `offline mode is on and ${label} is not in the cache; place the file at ${locations.localPath} ` +
        `(download it from ${connection.hubUrl}/datasets/${request.repository}/resolve/${encodeURIComponent(revision)}/${request.path})`,
      { source },
    );
  }

  const fetchChecked = rangeCheckingFetch(connection.fetch);
  let info: FileDownloadInfoOutput | null;
  try {
    info = await fileDownloadInfo({
      repo: hubRepository(request.repository),
      path: request.path,
      revision,
      hubUrl: connection.hubUrl,
      fetch: fetchChecked,
      accessToken: connection.accessToken,
    });
  } catch (error) {
    throw new DatasetDownloadError(
      isNetworkFailure(error)
        ? `cannot reach ${connection.hubUrl} to download ${label}; place the file at ${locations.localPath} or retry when online`
        : `the Hub refused ${label}`,
      { source, cause: error },
    );
  }
  if (info === null) {
    throw new DatasetDownloadError(`${label} does not exist on ${connection.hubUrl}`, { source });
  }

  await mkdir(dirname(locations.partialPath), { recursive: true });
  let offset = 0;
  const partialSize = await fileSize(locations.partialPath);
  const partialMetadata = await readMetadata(locations.partialMetadataPath);
  if (partialSize !== undefined && partialMetadata?.etag === info.etag && partialMetadata.size === info.size && partialSize < info.size) {
    offset = partialSize;
  }
  await writeFileAtomically(locations.partialMetadataPath, JSON.stringify({ etag: info.etag, size: info.size }));

  if (offset < info.size) {
    try {
      await streamRange(request, revision, info, offset, locations.partialPath, connection, fetchChecked);
    } catch (error) {
      if (isRangeIgnored(error)) {
        // The server sent the whole file instead of the tail: start over from byte 0.
        await unlink(locations.partialPath).catch(() => undefined);
        await streamRange(request, revision, info, 0, locations.partialPath, connection, connection.fetch).catch((retryError: unknown) => {
          throw interruptedError(label, locations.partialPath, retryError);
        });
      } else {
        throw interruptedError(label, locations.partialPath, error);
      }
    }
  } else if (partialSize === undefined) {
    await writeFileAtomically(locations.partialPath, new Uint8Array(0));
  }

  const completedSize = await fileSize(locations.partialPath);
  if (completedSize !== info.size) {
    await unlink(locations.partialPath).catch(() => undefined);
    throw new DatasetDownloadError(
      `${label}: downloaded ${completedSize ?? 0} bytes but the Hub announced ${info.size}; the partial file was removed, call again to download it anew`,
      { source },
    );
  }
  let sha256: string | undefined;
  if (request.sha256) {
    sha256 = await sha256OfFile(locations.partialPath);
    if (sha256 !== request.sha256.toLowerCase()) {
      await unlink(locations.partialPath).catch(() => undefined);
      throw new DatasetDownloadError(
        `${label}: SHA-256 of the download is ${sha256}, expected ${request.sha256}; the file was removed, call again to download it anew`,
        { source },
      );
    }
  }
  await rename(locations.partialPath, locations.localPath);
  await writeFileAtomically(
    locations.metadataPath,
    JSON.stringify({ etag: info.etag, size: info.size, sha256, completedAt: new Date().toISOString() } satisfies FileMetadata),
  );
  await unlink(locations.partialMetadataPath).catch(() => undefined);
  return { repository: request.repository, revision, path: request.path, localPath: locations.localPath, size: info.size, downloaded: true };
}

function interruptedError(label: string, partialPath: string, cause: unknown): DatasetDownloadError {
  return new DatasetDownloadError(
    `download of ${label} was interrupted; the bytes received so far are kept in ${partialPath} and the next call resumes from there`,
    { source, cause },
  );
}

async function streamRange(
  request: HubFileRequest,
  revision: string,
  info: FileDownloadInfoOutput,
  offset: number,
  partialPath: string,
  connection: ResolvedHubConnection,
  fetchImplementation: typeof fetch,
): Promise<void> {
  const blob = await downloadFile({
    repo: hubRepository(request.repository),
    path: request.path,
    revision,
    hubUrl: connection.hubUrl,
    fetch: fetchImplementation,
    accessToken: connection.accessToken,
    downloadInfo: info,
  });
  if (blob === null) throw new DatasetDownloadError(`${request.repository}@${revision}:${request.path} disappeared from the Hub`, { source });
  const part = offset === 0 ? blob : blob.slice(offset);
  let done = offset;
  const stage = `download ${request.path}`;
  // Each chunk is awaited onto disk before the next is read, so when the connection drops every byte
  // received so far is in the partial file and the next call can resume right after it.
  const handle = await open(partialPath, offset === 0 ? 'w' : 'a');
  try {
    for await (const chunk of part.stream() as unknown as AsyncIterable<Uint8Array>) {
      connection.signal?.throwIfAborted();
      await handle.write(chunk);
      done += chunk.length;
      connection.onProgress?.({ stage, done, total: info.size });
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// The Hub client turns errors inside a blob stream into an abort carrying only the message text.
const rangeIgnoredMarker = 'the server ignored the Range header';

function isRangeIgnored(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error);
  return text.includes(rangeIgnoredMarker);
}

/**
 * Wraps fetch so that a 200 answer to a `Range: bytes=N-` request (N > 0) is caught before its body is
 * appended to a partial file: appending the whole file would corrupt the download.
 */
function rangeCheckingFetch(baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    const range = new Headers(init?.headers).get('range');
    const start = range ? /^bytes=(\d+)-/.exec(range)?.[1] : undefined;
    if (start !== undefined && Number(start) > 0 && response.status === 200) {
      await response.body?.cancel();
      throw new Error(`${rangeIgnoredMarker} (${range})`);
    }
    return response;
  };
}
