// Checks the tarballs `pnpm pack` produced, i.e. exactly what `pnpm publish` uploads:
// - they ship only what users need (no sources, tests, fixtures, build configs or benchmarks);
// - no `workspace:` range survives in the published package.json;
// - @pal/core's runtime dependencies are zod alone;
// - every plugin's peer range on @pal/core accepts the @pal/core version packed next to it.
// Usage: node check-packed-tarballs.mjs <directory with the .tgz files> <package-tools directory (for semver)>
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [directory, toolsDirectory] = process.argv.slice(2);
if (!directory || !toolsDirectory) {
  console.error('usage: node check-packed-tarballs.mjs <tarball-directory> <package-tools-directory>');
  process.exit(2);
}

/** Paths inside a package that users never need at run or type-check time. */
const forbidden = [
  { pattern: /^package\/src\//, reason: 'TypeScript sources (dist has the build)' },
  { pattern: /(^|\/)__fixtures__\//, reason: 'test fixtures' },
  { pattern: /\.test\.[cm]?[jt]s(\.map)?$/, reason: 'test files' },
  { pattern: /\.test\.d\.[cm]?ts$/, reason: 'test type declarations' },
  { pattern: /^package\/dist\/bench\//, reason: 'benchmarks (run with pnpm bench in the repository)' },
  { pattern: /^package\/(tsconfig[^/]*\.json|tsup\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s|turbo\.json)$/, reason: 'build configuration' },
  { pattern: /(^|\/)(node_modules|\.turbo|\.pal-cache)\//, reason: 'installed or cached files' },
  { pattern: /\.tsbuildinfo$/, reason: 'TypeScript build state' },
];

const semver = createRequire(join(toolsDirectory, 'package.json'))('semver');
const failures = [];
const manifests = new Map();
const tarballs = readdirSync(directory).filter((name) => name.endsWith('.tgz')).sort();
if (tarballs.length === 0) failures.push(`${directory}: expected packed .tgz files, found none`);

for (const tarball of tarballs) {
  const path = join(directory, tarball);
  const entries = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path, 'package/package.json'], { encoding: 'utf8' }));
  manifests.set(manifest.name, manifest);
  const unwanted = [];
  for (const entry of entries) {
    const rule = forbidden.find(({ pattern }) => pattern.test(entry));
    if (rule) unwanted.push(`${entry.replace(/^package\//, '')} (${rule.reason})`);
  }
  if (unwanted.length > 0) failures.push(`${tarball}: ships files users do not need: ${unwanted.join(', ')}; narrow "files" in ${manifest.name}'s package.json`);
  if (!entries.includes('package/README.md')) failures.push(`${tarball}: expected a README.md in the package, found none`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) failures.push(`${tarball}: ${field}.${name} is still "${range}"; publish with pnpm, which replaces workspace: ranges`);
    }
  }
  console.log(`  ${tarball}: ${entries.length} files, dependencies: ${Object.keys(manifest.dependencies ?? {}).join(', ') || 'none'}`);
}

const core = manifests.get('@pal/core');
if (!core) {
  failures.push('@pal/core was not packed');
} else {
  const runtime = Object.keys(core.dependencies ?? {});
  if (runtime.length !== 1 || runtime[0] !== 'zod') failures.push(`@pal/core: expected zod as the only runtime dependency, found ${runtime.join(', ') || 'none'}`);
  const requiredPeers = Object.keys(core.peerDependencies ?? {}).filter((name) => !core.peerDependenciesMeta?.[name]?.optional);
  if (requiredPeers.length > 0) failures.push(`@pal/core: expected only optional peer dependencies, found required ${requiredPeers.join(', ')}`);
  for (const [name, manifest] of manifests) {
    const range = manifest.peerDependencies?.['@pal/core'];
    if (name === '@pal/core' || range === undefined) continue;
    if (!semver.satisfies(core.version, range)) failures.push(`${name}: peer range "${range}" on @pal/core does not accept the packed @pal/core ${core.version}`);
  }
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`FAIL: ${failure}`);
  process.exit(1);
}
console.log(`ok: ${tarballs.length} tarballs ship only what users need; @pal/core depends on zod alone`);
