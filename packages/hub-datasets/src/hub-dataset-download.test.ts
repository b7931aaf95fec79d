import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PalError } from '@pal/core';
import { downloadHubDataset } from './hub-dataset-download.js';
import { DatasetDownloadError, UpstreamDataMismatchError } from './hub-datasets-errors.js';
import { cachedFileLocations, downloadHubFile } from './hub-file-download.js';
import { createFakeHub } from './testing/fake-hub.js';

const repository = 'openai/summarize_from_feedback';
const revision = 'refs/convert/parquet';
const hubUrl = 'https://huggingface.co';

function bytes(length: number, seed: number): Uint8Array {
  const result = new Uint8Array(length);
  for (let index = 0; index < length; index++) result[index] = (index * 31 + seed * 7) % 251;
  return result;
}

const trainFile = bytes(50_000, 1);
const validationFile = bytes(30_000, 2);

function hubWithFiles() {
  return createFakeHub({
    pageSize: 1,
    repositories: [
      {
        repository,
        revision,
        files: {
          'comparisons/train/0000.parquet': trainFile,
          'comparisons/validation/0000.parquet': validationFile,
          'axis/test/0000.parquet': bytes(100, 3),
        },
      },
    ],
  });
}

const selection = {
  repository,
  revision,
  folder: 'comparisons',
  include: /^comparisons\/(train|validation)\/\d{4}\.parquet$/,
  description: 'comparisons/{train,validation}/0000.parquet',
};

let cacheDirectory: string;
beforeEach(async () => {
  cacheDirectory = await mkdtemp(join(tmpdir(), 'pal-hub-'));
});
afterEach(async () => {
  await rm(cacheDirectory, { recursive: true, force: true });
});

describe('downloadHubDataset', () => {
  it('should download the selected files through the Hub client and serve a second call from the cache without any request', async () => {
    const hub = hubWithFiles();
    const first = await downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl });
    expect(first.files.map((file) => file.path)).toEqual(['comparisons/train/0000.parquet', 'comparisons/validation/0000.parquet']);
    expect(first.files.every((file) => file.downloaded)).toBe(true);
    expect(new Uint8Array(await readFile(first.files[0]!.localPath))).toEqual(trainFile);
    expect(new Uint8Array(await readFile(first.files[1]!.localPath))).toEqual(validationFile);
    // The revision travels as one encoded path segment, and the paged listing was followed.
    const treeRequests = hub.requests.filter((request) => request.url.includes('/tree/'));
    expect(treeRequests[0]!.url).toContain('/api/datasets/openai/summarize_from_feedback/tree/refs%2Fconvert%2Fparquet/comparisons?recursive=true');
    expect(treeRequests.length).toBe(2);

    const before = hub.requests.length;
    const second = await downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl });
    expect(hub.requests.length).toBe(before);
    expect(second.files.map((file) => file.downloaded)).toEqual([false, false]);
    expect(second.files.map((file) => file.localPath)).toEqual(first.files.map((file) => file.localPath));
  });

  it('should resume an interrupted download with a Range request from the bytes already on disk', async () => {
    const hub = hubWithFiles();
    hub.interruptNextDownload('comparisons/train/0000.parquet', 20_000);
    const failure = await downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl }).catch((error: unknown) => error);
    expect(DatasetDownloadError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('interrupted');
    const locations = cachedFileLocations(cacheDirectory, repository, revision, 'comparisons/train/0000.parquet');
    expect((await stat(locations.partialPath)).size).toBe(20_000);

    const progress: number[] = [];
    const result = await downloadHubDataset(selection, {
      cacheDirectory,
      fetch: hub.fetch,
      hubUrl,
      onProgress: (event) => progress.push(event.done),
    });
    const resumed = hub.requests.filter((request) => request.range === 'bytes=20000-49999');
    expect(resumed.length).toBe(1);
    expect(progress[0]).toBeGreaterThan(20_000);
    expect(new Uint8Array(await readFile(result.files[0]!.localPath))).toEqual(trainFile);
    await expect(stat(locations.partialPath)).rejects.toThrow();
  });

  it('should start over instead of resuming when the file changed on the Hub (new ETag)', async () => {
    const hub = hubWithFiles();
    const path = 'comparisons/train/0000.parquet';
    hub.interruptNextDownload(path, 10_000);
    await expect(downloadHubFile({ repository, revision, path }, { cacheDirectory, fetch: hub.fetch, hubUrl })).rejects.toThrow(/interrupted/);
    const changed = bytes(40_000, 9);
    hub.replaceFile(repository, revision, path, changed);
    const file = await downloadHubFile({ repository, revision, path }, { cacheDirectory, fetch: hub.fetch, hubUrl });
    expect(hub.requests.some((request) => request.range?.startsWith('bytes=10000-'))).toBe(false);
    expect(new Uint8Array(await readFile(file.localPath))).toEqual(changed);
  });

  it('should restart from byte 0 when a server answers the resume request with the whole file', async () => {
    const hub = hubWithFiles();
    const path = 'comparisons/validation/0000.parquet';
    hub.interruptNextDownload(path, 12_345);
    await expect(downloadHubFile({ repository, revision, path }, { cacheDirectory, fetch: hub.fetch, hubUrl })).rejects.toThrow(/interrupted/);
    // A proxy that drops Range headers on anything but the one-byte probe.
    const rangeDroppingFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (headers.get('range') !== 'bytes=0-0') headers.delete('range');
      return hub.fetch(input, { ...init, headers });
    };
    const file = await downloadHubFile({ repository, revision, path }, { cacheDirectory, fetch: rangeDroppingFetch, hubUrl });
    expect(new Uint8Array(await readFile(file.localPath))).toEqual(validationFile);
  });

  it('should reject a download whose SHA-256 differs from the listing and keep nothing', async () => {
    const hub = hubWithFiles();
    const path = 'comparisons/train/0000.parquet';
    const failure = await downloadHubFile(
      { repository, revision, path, sha256: '0'.repeat(64) },
      { cacheDirectory, fetch: hub.fetch, hubUrl },
    ).catch((error: unknown) => error);
    expect(DatasetDownloadError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/SHA-256 of the download is [0-9a-f]{64}, expected 0{64}/);
    const locations = cachedFileLocations(cacheDirectory, repository, revision, path);
    await expect(stat(locations.localPath)).rejects.toThrow();
    await expect(stat(locations.partialPath)).rejects.toThrow();
  });

  it('should fail offline with the missing files and where to place them, then accept files placed there by hand', async () => {
    const hub = hubWithFiles();
    hub.setNetworkDown(true);
    const failure = await downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl }).catch((error: unknown) => error);
    expect(DatasetDownloadError.isInstance(failure)).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain('cannot be reached');
    expect(message).toContain('comparisons/{train,validation}/0000.parquet');
    expect(message).toContain(join(cacheDirectory, 'datasets', 'openai', 'summarize_from_feedback', 'refs%2Fconvert%2Fparquet'));

    const locations = cachedFileLocations(cacheDirectory, repository, revision, 'comparisons/train/0000.parquet');
    await mkdir(dirname(locations.localPath), { recursive: true });
    await writeFile(locations.localPath, trainFile);
    const requestsBefore = hub.requests.length;
    const result = await downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl, offline: true });
    expect(hub.requests.length).toBe(requestsBefore);
    expect(result.files.map((file) => file.path)).toEqual(['comparisons/train/0000.parquet']);
  });

  it('should name each file still missing when offline with a cached listing', async () => {
    const hub = hubWithFiles();
    hub.interruptNextDownload('comparisons/validation/0000.parquet', 1000);
    await expect(downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl })).rejects.toThrow(/interrupted/);
    const failure = await downloadHubDataset(selection, { cacheDirectory, fetch: hub.fetch, hubUrl, offline: true }).catch((error: unknown) => error);
    expect(DatasetDownloadError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('1 file(s) of openai/summarize_from_feedback@refs/convert/parquet are not in the cache: comparisons/validation/0000.parquet');
  });

  it('should say the layout changed when no listed file matches the selection', async () => {
    const hub = hubWithFiles();
    const failure = await downloadHubDataset(
      { ...selection, include: /^comparisons\/test\/.*\.parquet$/, description: 'comparisons/test/*.parquet' },
      { cacheDirectory, fetch: hub.fetch, hubUrl },
    ).catch((error: unknown) => error);
    expect(DatasetDownloadError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('no file of openai/summarize_from_feedback@refs/convert/parquet under comparisons/ matches');
  });

  it('should report a file the Hub does not have', async () => {
    const hub = hubWithFiles();
    await expect(
      downloadHubFile({ repository, revision, path: 'comparisons/test/0000.parquet' }, { cacheDirectory, fetch: hub.fetch, hubUrl }),
    ).rejects.toThrow('openai/summarize_from_feedback@refs/convert/parquet:comparisons/test/0000.parquet does not exist');
  });
});

describe('hub-datasets errors', () => {
  it('should tell its error classes apart with isInstance', () => {
    const download = new DatasetDownloadError('x', { source: 'hub-datasets' });
    const mismatch = new UpstreamDataMismatchError('y');
    expect(DatasetDownloadError.isInstance(download)).toBe(true);
    expect(DatasetDownloadError.isInstance(mismatch)).toBe(false);
    expect(UpstreamDataMismatchError.isInstance(download)).toBe(false);
    expect(PalError.isInstance(mismatch)).toBe(true);
    expect(download.message).toBe('[pal] [hub-datasets] x');
  });
});
