/**
 * The build every package shares (STYLE section 7): ESM only, declarations, source maps, a clean dist,
 * Node 20. A package's tsup.config.ts names its entry points and any extra options.
 * @param {string[]} entry entry points, e.g. ['src/index.ts']
 * @param {Record<string, unknown>} [overrides] extra tsup options (e.g. `external`)
 */
export function palTsupConfig(entry, overrides = {}) {
  return { entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20', ...overrides };
}
