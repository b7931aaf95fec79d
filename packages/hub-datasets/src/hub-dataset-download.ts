import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { listFiles } from '@huggingface/hub';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-file.js';
import { repositoryRevisionDirectory, resolveCacheDirectory } from './cache-directory.js';
import { isNetworkFailure, resolveHubConnection, type HubConnectionSettings } from './hub-connection.js';
import { DatasetDownloadError } from './hub-datasets-errors.js';
import { downloadHubFileWith, findCachedHubFile, type HubFile, type HubFileRequest } from './hub-file-download.js';

const source = 'hub-datasets';

/** Which files of a dataset repository to fetch: a folder to list and a pattern the paths must match. */
export interface HubDatasetSelection {
  /** `owner/name` of a dataset repository, e.g. `openai/summarize_from_feedback`. */
  repository: string;
  /** Branch, tag, `refs/convert/parquet` or a commit hash; defaults to `main`. */
  revision?: string;
  /** Folder to list (recursively); the whole repository when omitted. */
  folder?: string;
  /** Paths (relative to the repository root) to keep. */
  include: RegExp;
  /** Optional cap on how many matching files to fetch (after sorting by path), for trying a dataset out. */
  limit?: number;
  /** Human description of the expected files, printed in the offline error (e.g. "comparisons/train/0000.parquet"). */
  description?: string;
}

/** The complete local copies of the selected files, sorted by path. */
export interface HubDatasetFiles {
  repository: string;
  revision: string;
  /** Cache folder of this repository and revision; manual copies go here, under their repository path. */
  directory: string;
  files: HubFile[];
}

const listingEntrySchema = z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string().optional() });
const listingSchema = z.object({ listedAt: z.string(), entries: z.array(listingEntrySchema) });
type ListingEntry = z.infer<typeof listingEntrySchema>;

function listingPath(directory: string, selection: HubDatasetSelection): string {
  const key = createHash('sha256')
    .update(`${selection.folder ?? ''}\n${selection.include.source}\n${selection.include.flags}`)
    .digest('hex')
    .slice(0, 16);
  return join(directory, '.pal', 'listings', `${key}.json`);
}

async function readCachedListing(path: string): Promise<ListingEntry[] | undefined> {
  try {
    const parsed = listingSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data.entries : undefined;
  } catch {
    return undefined;
  }
}

async function listLocalFiles(directory: string, include: RegExp): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(directory, { recursive: true })) as string[];
  } catch {
    return [];
  }
  return names
    .map((name) => relative(directory, join(directory, name)).split(sep).join('/'))
    .filter((path) => !path.startsWith('.pal/') && !path.endsWith('.part') && include.test(path))
    .sort();
}

function selectEntries(entries: ListingEntry[], selection: HubDatasetSelection): ListingEntry[] {
  const matching = entries.filter((entry) => selection.include.test(entry.path)).sort((a, b) => a.path.localeCompare(b.path));
  return selection.limit === undefined ? matching : matching.slice(0, selection.limit);
}

/**
 * Makes the selected files of a Hub dataset repository available on disk. The repository listing
 * (through the Hub client's `listFiles`) is cached next to the files, so once everything is downloaded
 * later calls make no network request at all. Offline (or when the Hub is unreachable) the cached
 * listing, or else any files a user placed in the cache folder by hand, are used; when files are
 * missing the error lists them and says where to put them.
 */
export async function downloadHubDataset(selection: HubDatasetSelection, settings: HubConnectionSettings = {}): Promise<HubDatasetFiles> {
  const revision = selection.revision ?? 'main';
  const cacheDirectory = resolveCacheDirectory(settings.cacheDirectory);
  const connection = resolveHubConnection(settings);
  const directory = repositoryRevisionDirectory(cacheDirectory, selection.repository, revision);
  const label = `${selection.repository}@${revision}`;
  const cachedListingPath = listingPath(directory, selection);

  let entries = await readCachedListing(cachedListingPath);
  let listingError: unknown;
  if (entries === undefined && !connection.offline) {
    try {
      const listed: ListingEntry[] = [];
      for await (const entry of listFiles({
        repo: { type: 'dataset', name: selection.repository },
        path: selection.folder,
        recursive: true,
        // The tree endpoint takes the revision as one path segment: `refs/convert/parquet` must be encoded.
        revision: encodeURIComponent(revision),
        hubUrl: connection.hubUrl,
        fetch: connection.fetch,
        accessToken: connection.accessToken,
      })) {
        if (entry.type !== 'file') continue;
        listed.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, sha256: entry.lfs?.oid });
      }
      entries = listed;
      await writeFileAtomically(cachedListingPath, JSON.stringify({ listedAt: new Date().toISOString(), entries: listed }));
    } catch (error) {
      if (!isNetworkFailure(error)) {
        throw new DatasetDownloadError(`cannot list the files of ${label} on ${connection.hubUrl}`, { source, cause: error });
      }
      listingError = error;
    }
  }

  if (entries === undefined) {
    // Offline without a cached listing: use what a user copied into the cache folder by hand.
    const local = selectEntries(
      (await listLocalFiles(directory, selection.include)).map((path) => ({ path, size: -1 })),
      selection,
    );
    if (local.length === 0) {
      const why = connection.offline ? 'offline mode is on' : `${connection.hubUrl} cannot be reached`;
      throw new DatasetDownloadError(
        `${why} and no files of ${label} are cached. Missing: ${selection.description ?? selection.include.source}. ` +
          `To use the dataset without network, download those files from ${connection.hubUrl}/datasets/${selection.repository}/tree/${encodeURIComponent(revision)}` +
          `${selection.folder ? `/${selection.folder}` : ''} and place them under ${directory}/ keeping their repository paths.`,
        { source, cause: listingError },
      );
    }
    const files: HubFile[] = [];
    for (const entry of local) {
      const file = await findCachedHubFile({ repository: selection.repository, revision, path: entry.path }, cacheDirectory);
      if (file) files.push(file);
    }
    return { repository: selection.repository, revision, directory, files };
  }

  const wanted = selectEntries(entries, selection);
  if (wanted.length === 0) {
    throw new DatasetDownloadError(
      `no file of ${label}${selection.folder ? ` under ${selection.folder}/` : ''} matches ${selection.include.source} ` +
        `(expected ${selection.description ?? 'at least one'}); the repository layout may have changed`,
      { source },
    );
  }
  const requests: HubFileRequest[] = wanted.map((entry) => ({
    repository: selection.repository,
    revision,
    path: entry.path,
    expectedSize: entry.size >= 0 ? entry.size : undefined,
    sha256: entry.sha256,
  }));

  const files: HubFile[] = [];
  const missing: string[] = [];
  for (const request of requests) {
    if (connection.offline) {
      const cached = await findCachedHubFile(request, cacheDirectory);
      if (cached) files.push(cached);
      else missing.push(request.path);
      continue;
    }
    files.push(await downloadHubFileWith(request, cacheDirectory, connection));
  }
  if (missing.length > 0) {
    throw new DatasetDownloadError(
      `offline mode is on and ${missing.length} file(s) of ${label} are not in the cache: ${missing.join(', ')}. ` +
        `Download them from ${connection.hubUrl}/datasets/${selection.repository}/resolve/${encodeURIComponent(revision)}/<path> ` +
        `and place each at ${directory}/<path>, or turn offline mode off.`,
      { source },
    );
  }
  return { repository: selection.repository, revision, directory, files };
}
