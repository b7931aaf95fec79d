# Sourced by scripts/*.sh: installs the pinned tools of scripts/package-tools (publint, attw, typedoc, ...)
# with `npm ci` into a folder outside the workspace, once per lockfile, and sets PAL_TOOLS_BIN to its bin.
# Override the folder with PAL_PACKAGE_TOOLS_DIR.
pal_install_package_tools() {
  local source_dir lock_hash tools_dir
  source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../package-tools" && pwd)"
  lock_hash="$(sha256sum "$source_dir/package-lock.json" | cut -c1-12)"
  tools_dir="${PAL_PACKAGE_TOOLS_DIR:-${TMPDIR:-/tmp}/pal-package-tools-$lock_hash}"
  if [ ! -x "$tools_dir/node_modules/.bin/attw" ] || [ ! -x "$tools_dir/node_modules/.bin/typedoc" ]; then
    mkdir -p "$tools_dir"
    cp "$source_dir/package.json" "$source_dir/package-lock.json" "$tools_dir/"
    (cd "$tools_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  PAL_TOOLS_DIR="$tools_dir"
  PAL_TOOLS_BIN="$tools_dir/node_modules/.bin"
}
