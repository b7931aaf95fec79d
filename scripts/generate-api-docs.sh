#!/usr/bin/env bash
# Generates the API reference in docs/api/ (Markdown) from the JSDoc of every published package's public
# exports, with TypeDoc and typedoc-plugin-markdown pinned in scripts/package-tools. Commit the result.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/package-tools.sh
source "$ROOT/scripts/lib/package-tools.sh"
pal_install_package_tools
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pal-api-docs.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "==> $("$PAL_TOOLS_BIN/typedoc" --version | grep -m1 TypeDoc) with typedoc-plugin-markdown"
node scripts/lib/api-docs-config.mjs "$ROOT" "$WORK" "$WORK/api"
PAL_TYPEDOC_MODULE_NAMES="$WORK/module-names.json" "$PAL_TOOLS_BIN/typedoc" --options "$WORK/typedoc.json" --logLevel Warn
rm -rf docs/api
mv "$WORK/api" docs/api
echo "==> wrote $(find docs/api -name '*.md' | wc -l) pages to docs/api/"
