// The published (non-private) @pal/* workspace packages, read from `pnpm -r ls --json`, so exactly the
// packages pnpm publishes, @pal/core first. Run directly, prints one line per package: "<name>\t<directory>".
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Name and directory of every published workspace package under `root`. */
export function listPublicPackages(root = process.cwd()) {
  const listing = JSON.parse(execFileSync('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], { cwd: root, encoding: 'utf8' }));
  return listing
    .filter((entry) => entry.private === false && entry.name?.startsWith('@pal/'))
    .map((entry) => ({ name: entry.name, path: entry.path }))
    .sort((a, b) => (a.name === '@pal/core' ? -1 : b.name === '@pal/core' ? 1 : a.name.localeCompare(b.name)));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const entry of listPublicPackages()) console.log(`${entry.name}\t${entry.path}`);
}
