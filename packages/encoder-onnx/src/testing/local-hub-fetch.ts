import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** One request the local Hub answered. */
export interface HubRequest {
  method: string;
  url: string;
}

/** Settings of `createLocalHubFetch`. */
export interface LocalHubSettings {
  /** Repo id -> local folder whose files the repo serves. */
  repos: Record<string, string>;
  /** The commit every repo's `main` points at. */
  commit: string;
  hubUrl?: string;
}

interface HubFile {
  path: string;
  bytes: Buffer;
  gitOid: string;
  lfsOid: string;
  lfs: boolean;
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(directory, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/**
 * A `fetch` that answers the Hugging Face Hub requests of @huggingface/hub (model info, paths-info,
 * resolve with and without Range) from local folders, so the real client can be tested offline.
 * Large binary files are served as LFS files (sha-256 etag), small text files as git blobs.
 */
export async function createLocalHubFetch(settings: LocalHubSettings): Promise<{ fetch: typeof fetch; requests: HubRequest[] }> {
  const hubUrl = settings.hubUrl ?? 'https://huggingface.co';
  const repos = new Map<string, Map<string, HubFile>>();
  for (const [repo, directory] of Object.entries(settings.repos)) {
    const files = new Map<string, HubFile>();
    for (const path of await listFiles(directory)) {
      const bytes = await readFile(join(directory, path));
      const gitOid = createHash('sha1').update(`blob ${bytes.length}\u0000`).update(bytes).digest('hex');
      const lfsOid = createHash('sha256').update(bytes).digest('hex');
      files.set(path, { path, bytes, gitOid, lfsOid, lfs: path.endsWith('.onnx') || path.endsWith('_data') });
    }
    repos.set(repo, files);
  }
  const requests: HubRequest[] = [];
  const revisionMatches = (revision: string) => revision === 'main' || revision === settings.commit;

  const localFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    requests.push({ method, url: url.href });
    if (!url.href.startsWith(hubUrl)) return json({ error: 'unknown host' }, 404);
    const path = decodeURIComponent(url.pathname);

    const info = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(path);
    if (info && method === 'GET') {
      const files = repos.get(info[1]!);
      if (!files || !revisionMatches(info[2]!)) return json({ error: 'Repository not found' }, 404, { 'X-Error-Code': 'RepoNotFound' });
      return json({
        _id: `id-${info[1]}`,
        id: info[1],
        sha: settings.commit,
        private: false,
        gated: false,
        downloads: 0,
        likes: 0,
        pipeline_tag: 'feature-extraction',
        lastModified: '2024-01-01T00:00:00.000Z',
        siblings: [...files.keys()].map((rfilename) => ({ rfilename })),
      });
    }

    const pathsInfo = /^\/api\/models\/(.+)\/paths-info\/([^/]+)$/.exec(path);
    if (pathsInfo && method === 'POST') {
      const files = repos.get(pathsInfo[1]!);
      if (!files || !revisionMatches(pathsInfo[2]!)) return json({ error: 'Repository not found' }, 404, { 'X-Error-Code': 'RepoNotFound' });
      const body = JSON.parse(String(init?.body)) as { paths: string[]; expand?: boolean };
      return json(
        body.paths
          .map((wanted) => files.get(wanted))
          .filter((file): file is HubFile => file !== undefined)
          .map((file) => ({
            type: 'file',
            path: file.path,
            oid: file.gitOid,
            size: file.bytes.length,
            ...(file.lfs ? { lfs: { oid: file.lfsOid, size: file.bytes.length, pointerSize: 134 } } : {}),
            ...(body.expand ? { lastCommit: { id: settings.commit, title: 'Add model', date: '2024-01-01T00:00:00.000Z' }, securityFileStatus: { status: 'safe' } } : {}),
          })),
      );
    }

    const resolve = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (resolve && (method === 'GET' || method === 'HEAD')) {
      const files = repos.get(resolve[1]!);
      if (!files || !revisionMatches(resolve[2]!)) return json({ error: 'Repository not found' }, 404, { 'X-Error-Code': 'RepoNotFound' });
      const file = files.get(resolve[3]!);
      if (!file) return json({ error: 'Entry not found' }, 404, { 'X-Error-Code': 'EntryNotFound' });
      const headers: Record<string, string> = {
        ETag: `"${file.lfs ? file.lfsOid : file.gitOid}"`,
        'X-Repo-Commit': settings.commit,
        'Accept-Ranges': 'bytes',
        'Content-Type': 'application/octet-stream',
        ...(file.lfs ? { 'X-Linked-ETag': `"${file.lfsOid}"`, 'X-Linked-Size': String(file.bytes.length) } : {}),
      };
      const range = /^bytes=(\d+)-(\d*)$/.exec(new Headers(init?.headers).get('range') ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), file.bytes.length - 1) : file.bytes.length - 1;
        const slice = file.bytes.subarray(start, end + 1);
        return new Response(method === 'HEAD' ? null : slice, {
          status: 206,
          headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${file.bytes.length}`, 'Content-Length': String(slice.length) },
        });
      }
      return new Response(method === 'HEAD' ? null : file.bytes, { status: 200, headers: { ...headers, 'Content-Length': String(file.bytes.length) } });
    }
    return json({ error: `no route for ${method} ${path}` }, 404);
  };
  return { fetch: localFetch as typeof fetch, requests };
}
