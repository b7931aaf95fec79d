// TypeDoc plugin for scripts/generate-api-docs.sh: names each module after the import specifier users
// write (`@pal/core`, `@pal/core/test`) instead of its source folder (`packages/core/src`).
// The map from entry file to specifier comes from the JSON file named by PAL_TYPEDOC_MODULE_NAMES.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const MODULE_KIND = 2; // ReflectionKind.Module

/** Registers the renaming step; TypeDoc calls this for every plugin it loads. */
export function load(app) {
  app.converter.on('resolveBegin', (context) => {
    const names = JSON.parse(readFileSync(process.env.PAL_TYPEDOC_MODULE_NAMES, 'utf8'));
    for (const module of context.project.children ?? []) {
      if (module.kind !== MODULE_KIND) continue;
      const file = module.sources?.[0]?.fullFileName;
      const name = file ? names[resolve(file)] : undefined;
      if (name) module.name = name;
      else app.logger.warn(`typedoc-package-names: no package name for module ${module.name} (${file ?? 'no source file'})`);
    }
  });
}
