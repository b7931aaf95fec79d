#!/usr/bin/env bash
# Measures every published package and writes docs/packages.md:
# - packed: the size of the tarball `pnpm pack` makes (what `pnpm publish` uploads), and its unpacked size;
# - install: `du -sk node_modules` of a fresh npm project (outside the workspace) that installs only that
#   package's tarball, plus the tarballs of the @pal/* packages it needs (@pal/core for every plugin, as
#   its peer), with registry dependencies resolved by plain npm;
# - for plugins, the same minus the install of @pal/core alone (what the plugin adds).
# Takes a few minutes (onnxruntime-node, transformers and tfjs are large downloads). Needs built packages.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pal-package-sizes.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

pnpm exec turbo run build --output-logs=errors-only >/dev/null
mapfile -t PACKAGES < <(node scripts/lib/list-public-packages.mjs)
filters=()
for entry in "${PACKAGES[@]}"; do filters+=(--filter "${entry%%$'\t'*}"); done
pnpm -r "${filters[@]}" pack --pack-destination "$WORK/tarballs" >/dev/null

tarball_of() { ls "$WORK/tarballs/$(echo "$1" | sed 's|^@||; s|/|-|')"-[0-9]*.tgz; }
pal_closure() { node scripts/lib/pal-dependency-closure.mjs "$WORK/tarballs" "$@"; }
install_kib() {
  local project="$WORK/projects/$1"; shift
  mkdir -p "$project"
  printf '{ "name": "size-probe", "private": true, "type": "module" }\n' >"$project/package.json"
  (cd "$project" && npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null)
  du -sk "$project/node_modules" | cut -f1
}
human() { node -e 'const k = Number(process.argv[1]); console.log(k >= 1024 * 1024 ? (k / 1048576).toFixed(1) + " GB" : k >= 1024 ? (k / 1024).toFixed(1) + " MB" : k + " kB")' "$1"; }

core_kib="$(install_kib core "$(tarball_of @pal/core)")"
rows=()
for entry in "${PACKAGES[@]}"; do
  name="${entry%%$'\t'*}"
  file="$(tarball_of "$name")"
  packed_kib=$(( ($(stat -c %s "$file") + 1023) / 1024 ))
  unpacked_kib=$(( ($(tar -tvzf "$file" | awk '{ sum += $3 } END { print sum }') + 1023) / 1024 ))
  mapfile -t needed < <(pal_closure "$name")
  files=()
  for dependency in "${needed[@]}"; do files+=("$(tarball_of "$dependency")"); done
  if [ "$name" = "@pal/core" ]; then total_kib="$core_kib"; else total_kib="$(install_kib "${name#@pal/}" "${files[@]}")"; fi
  added="-"
  [ "$name" = "@pal/core" ] || added="$(human $(( total_kib - core_kib )))"
  top="$(cd "$WORK/projects/${name#@pal/}" && for path in node_modules/[!@]* node_modules/@*/*; do if [ "${path#node_modules/@pal/}" = "$path" ]; then du -sk "$path"; fi; done \
    | sort -rn | head -3 | awk '{ sub("node_modules/", "", $2); size = $1 >= 1024 ? sprintf("%.1f MB", $1 / 1024) : $1 " kB"; printf "%s%s %s", (NR > 1 ? ", " : ""), $2, size }')"
  rows+=("| \`$name\` | $(human "$packed_kib") | $(human "$unpacked_kib") | $(human "$total_kib") | $added | $top |")
  echo "  $name: packed $(human "$packed_kib"), install $(human "$total_kib")" >&2
done

tfjs_version="$(node -p 'require("./packages/backend-tfjs/package.json").devDependencies["@tensorflow/tfjs"]')"
tfjs_kib="$(install_kib tfjs-wasm "$(tarball_of @pal/core)" "$(tarball_of @pal/backend-tfjs)" "@tensorflow/tfjs@$tfjs_version" "@tensorflow/tfjs-backend-wasm@$tfjs_version")"
echo "  @pal/backend-tfjs + tfjs wasm: install $(human "$tfjs_kib")" >&2

{
  cat <<HEADER
# Packages

Every package is ESM only, needs Node.js 20 or later, and is released with one shared version number.
A user installs \`@pal/core\` plus one backend; everything else is optional.

| package | packed | unpacked | install | adds to @pal/core | largest dependencies in that install |
| --- | --- | --- | --- | --- | --- |
HEADER
  printf '%s\n' "${rows[@]}"
  cat <<FOOTER

\`@pal/backend-tfjs\` brings no TensorFlow.js engine of its own (the engine is an optional peer the user picks).
With \`@tensorflow/tfjs\` and \`@tensorflow/tfjs-backend-wasm\` $tfjs_version the install is $(human "$tfjs_kib");
\`@tensorflow/tfjs-node\` and \`-node-gpu\` download libtensorflow in their install script and are larger.
Most of \`onnxruntime-node\`'s size is its native libraries for Linux, macOS and Windows, which npm installs on
every platform.

How these were measured ($(date -u +%Y-%m-%d), Node $(node --version), npm $(npm --version), Linux x64), by
\`scripts/measure-package-sizes.sh\`:

- **packed** is the size of the tarball \`pnpm pack\` writes, exactly what \`pnpm publish\` uploads;
  **unpacked** is the sum of the file sizes inside it.
- **install** is \`du -sk node_modules\` of a new npm project outside the workspace after
  \`npm install <tarballs>\` of that package and the \`@pal/*\` packages it needs (\`@pal/core\`, its peer, for every
  plugin; \`@pal/hub-datasets\` for the Hub datasets), with \`ONNXRUNTIME_NODE_INSTALL=skip\` (the CPU binaries ship in
  \`onnxruntime-node\`; the skipped download is the optional CUDA provider). Disk usage counts whole file-system
  blocks, so it is a little above the sum of file sizes.
- **adds to @pal/core** is that install minus the install of \`@pal/core\` alone.
FOOTER
} >docs/packages.md
echo "wrote docs/packages.md" >&2
