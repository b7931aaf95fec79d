import { createHash } from 'node:crypto';

/** One dataset repository revision served by the fake Hub: repository path -> file content. */
export interface FakeHubRepository {
  repository: string;
  revision: string;
  files: Record<string, Uint8Array>;
  /** Commit hash sent as `X-Repo-Commit`; a fixed fake one when omitted. */
  commit?: string;
}

/** Settings of `createFakeHub`. */
export interface FakeHubSettings {
  repositories: FakeHubRepository[];
  /** Base URL the fake answers for; defaults to https://huggingface.co. */
  hubUrl?: string;
  /** Entries per page of the tree listing (pagination through the `Link` header); default 1000. */
  pageSize?: number;
}

/** A request the fake Hub received. */
export interface FakeHubRequest {
  method: string;
  url: string;
  range: string | null;
}

/** A fetch that answers like the Hugging Face Hub for a fixed set of files, with a request log and fault injection. */
export interface FakeHub {
  fetch: typeof fetch;
  requests: FakeHubRequest[];
  /** Cut the body of the next download of `path` after `bytes` bytes (the connection drops). */
  interruptNextDownload(path: string, bytes: number): void;
  /** Make every request fail as if the network were down (a TypeError like undici's "fetch failed"). */
  setNetworkDown(down: boolean): void;
  /** Replace a file's content (the ETag changes with it). */
  replaceFile(repository: string, revision: string, path: string, content: Uint8Array): void;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gitBlobOid(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function notFound(errorCode: string, message: string): Response {
  return new Response(JSON.stringify({ error: message }), {
    status: 404,
    headers: { 'Content-Type': 'application/json', 'X-Error-Code': errorCode, 'X-Error-Message': message },
  });
}

function bodyStream(bytes: Uint8Array, cutAfter: number | undefined): ReadableStream<Uint8Array> {
  const chunkSize = 4096;
  let position = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (cutAfter !== undefined && position >= cutAfter) {
        controller.error(new TypeError('terminated: other side closed'));
        return;
      }
      if (position >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, position + chunkSize, cutAfter ?? Number.POSITIVE_INFINITY);
      controller.enqueue(bytes.slice(position, end));
      position = end;
    },
  });
}

/**
 * A stand-in for the Hub's HTTP API, enough for `@huggingface/hub`'s `listFiles`, `fileDownloadInfo`
 * and `downloadFile`: the tree endpoint (paged with `Link`, LFS entries with their SHA-256), and the
 * `resolve` endpoint with HEAD and GET, `ETag` / `X-Linked-ETag` / `X-Repo-Commit` / `Content-Length`
 * headers and `Range` requests (206 with `Content-Range`, 416 past the end). Every file is served as
 * an LFS file, as the Hub does for parquet.
 */
export function createFakeHub(settings: FakeHubSettings): FakeHub {
  const hubUrl = (settings.hubUrl ?? 'https://huggingface.co').replace(/\/+$/, '');
  const pageSize = settings.pageSize ?? 1000;
  const repositories = settings.repositories.map((repository) => ({ ...repository, files: { ...repository.files } }));
  const requests: FakeHubRequest[] = [];
  const interruptions = new Map<string, number>();
  let networkDown = false;

  function findRepository(name: string, revision: string) {
    return repositories.find((repository) => repository.repository === name && repository.revision === revision);
  }

  function treeResponse(url: URL, rest: string[]): Response {
    // rest = [owner, name, 'tree', revision (one encoded segment), ...folder]
    const [owner, name, , encodedRevision, ...folderParts] = rest;
    const repository = findRepository(`${owner}/${name}`, decodeURIComponent(encodedRevision ?? ''));
    if (!repository) return notFound('RevisionNotFound', `Invalid rev id: ${decodeURIComponent(encodedRevision ?? '')}`);
    const folder = folderParts.map(decodeURIComponent).join('/');
    const recursive = url.searchParams.get('recursive') === 'true';
    const entries: Record<string, unknown>[] = [];
    const directories = new Set<string>();
    for (const [path, content] of Object.entries(repository.files).sort(([a], [b]) => a.localeCompare(b))) {
      if (folder !== '' && !path.startsWith(`${folder}/`)) continue;
      const inside = folder === '' ? path : path.slice(folder.length + 1);
      if (!recursive && inside.includes('/')) {
        directories.add(`${folder === '' ? '' : `${folder}/`}${inside.split('/')[0]}`);
        continue;
      }
      entries.push({
        type: 'file',
        oid: gitBlobOid(new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(content)}\nsize ${content.length}\n`)),
        size: content.length,
        path,
        lfs: { oid: sha256(content), size: content.length, pointerSize: 134 },
      });
    }
    for (const directory of directories) entries.push({ type: 'directory', oid: gitBlobOid(new TextEncoder().encode(directory)), size: 0, path: directory });
    if (entries.length === 0 && folder !== '') return notFound('EntryNotFound', `${folder} does not exist on "${repository.revision}"`);
    const cursor = Number(url.searchParams.get('cursor') ?? '0');
    const page = entries.slice(cursor, cursor + pageSize);
    const headers = new Headers({ 'Content-Type': 'application/json' });
    if (cursor + pageSize < entries.length) {
      const next = new URL(url);
      next.searchParams.set('cursor', String(cursor + pageSize));
      headers.set('Link', `<${next.toString()}>; rel="next"`);
    }
    return new Response(JSON.stringify(page), { status: 200, headers });
  }

  function resolveResponse(method: string, rest: string[], rangeHeader: string | null): Response {
    // rest = [owner, name, 'resolve', revision (one encoded segment), ...path]
    const [owner, name, , encodedRevision, ...pathParts] = rest;
    const repository = findRepository(`${owner}/${name}`, decodeURIComponent(encodedRevision ?? ''));
    if (!repository) return notFound('RevisionNotFound', 'Revision not found');
    const path = pathParts.map(decodeURIComponent).join('/');
    const content = repository.files[path];
    if (!content) return notFound('EntryNotFound', `Entry not found: ${path}`);
    const etag = `"${sha256(content)}"`;
    const headers = new Headers({
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      ETag: etag,
      'X-Linked-ETag': etag,
      'X-Linked-Size': String(content.length),
      'X-Repo-Commit': repository.commit ?? 'a'.repeat(40),
    });
    let start = 0;
    let end = content.length - 1;
    let status = 200;
    if (rangeHeader) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
      if (!match) return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${content.length}` } });
      start = match[1] === '' ? Math.max(0, content.length - Number(match[2])) : Number(match[1]);
      end = match[1] !== '' && match[2] !== '' ? Math.min(Number(match[2]), content.length - 1) : content.length - 1;
      if (start >= content.length || start > end) {
        return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${content.length}` } });
      }
      status = 206;
      headers.set('Content-Range', `bytes ${start}-${end}/${content.length}`);
    }
    const body = content.slice(start, end + 1);
    headers.set('Content-Length', String(body.length));
    if (method === 'HEAD') return new Response(null, { status, headers });
    let cutAfter: number | undefined;
    // A one-byte probe is a metadata request, not the download the test wants to cut.
    if (interruptions.has(path) && body.length > 1) {
      cutAfter = interruptions.get(path);
      interruptions.delete(path);
    }
    return new Response(bodyStream(body, cutAfter), { status, headers });
  }

  const fakeFetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const range = new Headers(init?.headers ?? request?.headers).get('range');
    requests.push({ method, url: url.toString(), range });
    if (init?.signal?.aborted) throw init.signal.reason ?? new DOMException('aborted', 'AbortError');
    if (networkDown) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    if (!url.toString().startsWith(`${hubUrl}/`)) throw new TypeError(`fetch failed: the fake Hub does not serve ${url.origin}`);
    const segments = url.pathname.slice(new URL(hubUrl).pathname.replace(/\/$/, '').length).split('/').filter((segment) => segment !== '');
    if (segments[0] === 'api' && segments[1] === 'datasets' && segments[4] === 'tree') return treeResponse(url, segments.slice(2));
    if (segments[0] === 'datasets' && segments[3] === 'resolve') return resolveResponse(method, segments.slice(1), range);
    return notFound('RepoNotFound', `the fake Hub has no route for ${url.pathname}`);
  };

  return {
    fetch: fakeFetch,
    requests,
    interruptNextDownload(path, bytes) {
      interruptions.set(path, bytes);
    },
    setNetworkDown(down) {
      networkDown = down;
    },
    replaceFile(repository, revision, path, content) {
      const found = findRepository(repository, revision);
      if (!found) throw new Error(`the fake Hub has no ${repository}@${revision}`);
      found.files[path] = content;
    },
  };
}
