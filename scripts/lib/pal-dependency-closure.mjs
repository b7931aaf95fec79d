// Prints the @pal/* packages a package needs installed next to it, itself included: its @pal/*
// dependencies and required peers, recursively, read from the packed tarballs in <tarball folder>.
// Usage: node pal-dependency-closure.mjs <tarball folder> <@pal/name>...
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const [directory, ...names] = process.argv.slice(2);
const files = readdirSync(directory).filter((file) => file.endsWith('.tgz'));

/** The package.json inside the tarball of `name` (file pal-<short>-<version>.tgz). */
function manifestOf(name) {
  const prefix = `${name.slice(1).replace('/', '-')}-`;
  const file = files.find((candidate) => candidate.startsWith(prefix) && /^\d/.test(candidate.slice(prefix.length)));
  if (!file) throw new Error(`no tarball for ${name} in ${directory}`);
  return JSON.parse(execFileSync('tar', ['-xzOf', join(directory, file), 'package/package.json'], { encoding: 'utf8' }));
}

const seen = new Set();
function visit(name) {
  if (seen.has(name)) return;
  seen.add(name);
  const manifest = manifestOf(name);
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const dependency of Object.keys(manifest[field] ?? {})) {
      const optional = field === 'peerDependencies' && manifest.peerDependenciesMeta?.[dependency]?.optional;
      if (dependency.startsWith('@pal/') && !optional) visit(dependency);
    }
  }
}
names.forEach(visit);
console.log([...seen].join('\n'));
