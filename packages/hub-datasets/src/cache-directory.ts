import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where Hub downloads are cached: the explicit option, else `$PAL_CACHE_DIR/hub`, else `~/.cache/pal/hub`.
 * `$PAL_CACHE_DIR` names the PAL cache root so the embedding cache and the Hub cache can share it.
 */
export function resolveCacheDirectory(cacheDirectory?: string): string {
  if (cacheDirectory !== undefined && cacheDirectory !== '') {
    return isAbsolute(cacheDirectory) ? cacheDirectory : resolve(cacheDirectory);
  }
  const fromEnvironment = process.env.PAL_CACHE_DIR;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return join(resolve(fromEnvironment), 'hub');
  return join(homedir(), '.cache', 'pal', 'hub');
}

/**
 * The folder that holds one dataset repository at one revision inside the cache, e.g.
 * `<cache>/datasets/openai/summarize_from_feedback/refs%2Fconvert%2Fparquet`. Revisions are
 * percent-encoded so `refs/convert/parquet` stays one folder.
 */
export function repositoryRevisionDirectory(cacheDirectory: string, repository: string, revision: string): string {
  const [owner, name] = repository.split('/');
  return join(cacheDirectory, 'datasets', owner!, name!, encodeURIComponent(revision));
}
