// Writes the TypeDoc configuration for scripts/generate-api-docs.sh into a temporary folder:
// one entry point per public export of every published package (read from its package.json "exports",
// mapped from dist/*.d.ts back to src/*.ts), and a tsconfig whose `paths` point each @pal/* import at
// its source, so that links between packages (a backend's ComputeBackendV1) resolve to core's page.
// The module names go to module-names.json for scripts/lib/typedoc-package-names.mjs.
// Usage: node api-docs-config.mjs <repository root> <temporary folder> <output folder>
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listPublicPackages } from './list-public-packages.mjs';

const [root, temporary, output] = process.argv.slice(2);
const packages = listPublicPackages(root);

const entryPoints = [];
const paths = {};
const moduleNames = {};
const skipped = [];
for (const entry of packages) {
  const manifest = JSON.parse(readFileSync(join(entry.path, 'package.json'), 'utf8'));
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const types = typeof target === 'object' ? target.types : undefined;
    if (!types) continue;
    const base = types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '');
    const source = [`${base}.ts`, `${base}/index.ts`].map((file) => join(entry.path, file)).find((file) => existsSync(file));
    const specifier = subpath === '.' ? entry.name : `${entry.name}/${subpath.replace(/^\.\//, '')}`;
    if (!source) {
      skipped.push(`${specifier} (no source for ${types})`);
      continue;
    }
    entryPoints.push(source);
    paths[specifier] = [source];
    moduleNames[source] = specifier;
  }
}

const tsconfig = {
  extends: join(root, 'tooling/tsconfig/base.json'),
  compilerOptions: { noEmit: true, paths, typeRoots: [join(root, 'node_modules/@types')] },
  files: entryPoints,
};
const typedoc = {
  entryPoints,
  entryPointStrategy: 'resolve',
  tsconfig: join(temporary, 'tsconfig.json'),
  out: output,
  plugin: ['typedoc-plugin-markdown', join(root, 'scripts/lib/typedoc-package-names.mjs')],
  excludeScopesInPaths: true,
  basePath: root,
  displayBasePath: root,
  disableGit: true,
  // GitHub resolves a link starting with / from the repository root, whatever the page's depth.
  sourceLinkTemplate: '/{path}#L{line}',
  readme: 'none',
  name: 'PAL SDK API reference',
  excludePrivate: true,
  excludeInternal: true,
  skipErrorChecking: true,
  hidePageHeader: true,
  hideBreadcrumbs: false,
  useCodeBlocks: true,
  parametersFormat: 'table',
  entryFileName: 'README.md',
  validation: { notExported: false, invalidLink: true, notDocumented: false },
};
writeFileSync(join(temporary, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
writeFileSync(join(temporary, 'module-names.json'), `${JSON.stringify(moduleNames, null, 2)}\n`);
writeFileSync(join(temporary, 'typedoc.json'), `${JSON.stringify(typedoc, null, 2)}\n`);
console.log(`  ${entryPoints.length} entry points: ${entryPoints.map((file) => relative(root, file)).join(', ')}`);
if (skipped.length > 0) console.log(`  skipped: ${skipped.join(', ')}`);
