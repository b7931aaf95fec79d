// Rewrites a copied package.json the way `pnpm pack` does for @pal/* ranges, so plain npm can install it:
// `workspace:^` becomes ^<version>, `workspace:*` becomes <version>; devDependencies are dropped.
// Usage: node resolve-workspace-ranges.mjs <package.json> <@pal/core version>
import { readFileSync, writeFileSync } from 'node:fs';

const [file, version] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
delete manifest.devDependencies;
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  for (const [name, range] of Object.entries(manifest[field] ?? {})) {
    if (!String(range).startsWith('workspace:')) continue;
    const rest = range.slice('workspace:'.length);
    manifest[field][name] = rest === '*' ? version : rest === '^' || rest === '~' ? `${rest}${version}` : rest;
  }
}
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
