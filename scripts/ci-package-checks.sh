#!/usr/bin/env bash
# Packaging checks, run by .ci/run after the tests (which have built every package):
#   1. publint --strict and attw --pack --profile esm-only on every published package
#   2. pnpm pack of every published package; the tarballs ship only what users need, @pal/core depends on zod alone
#   3. scratch project 1, outside the workspace, plain npm, only the @pal/core and @pal/backend-onnx tarballs:
#      train PAL-B on synthetic data, save, reload, score (scripts/scratch/train-save-reload-score.mjs), then the
#      code of docs/getting-started.md as written
#   4. scratch project 2, outside the workspace, plain npm, only the @pal/core tarball: score with that
#      checkpoint on the reference engine (scripts/scratch/score-with-checkpoint.mjs)
#   5. the skeleton of docs/guides/add-a-backend.md, outside the workspace: type-checked, and its tests
#      (the backend conformance kit) run against the packed @pal/core
#   6. pnpm changeset status, and the versions the pending changesets would produce
#   7. pnpm publish -r --dry-run --no-git-checks
# Fails on the first failing check. PAL_KEEP_WORK=1 keeps the temporary folder for inspection;
# PAL_PACKAGES="@pal/core @pal/backend-onnx ..." limits the build and steps 1-2 to those packages (keep those two:
# the scratch projects need them), for local runs while other packages are being written.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1
# onnxruntime-node's install script downloads CUDA binaries (offline here); the CPU binaries ship in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
# shellcheck source=lib/package-tools.sh
source "$ROOT/scripts/lib/package-tools.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pal-package-checks.XXXXXX")"
case "$WORK/" in "$ROOT"/*) echo "FAIL: temporary folder $WORK is inside the workspace $ROOT" >&2; exit 1 ;; esac
cleanup() { if [ "${PAL_KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
STARTED=$SECONDS
step() { printf '\n==> [%ss] %s\n' "$((SECONDS - STARTED))" "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "Package tools (publint, attw; pinned in scripts/package-tools, npm ci outside the workspace)"
pal_install_package_tools
echo "  $("$PAL_TOOLS_BIN/publint" --version), attw $("$PAL_TOOLS_BIN/attw" --version | head -1), in $PAL_TOOLS_DIR"

mapfile -t PACKAGES < <(node scripts/lib/list-public-packages.mjs)
PUBLISHED_COUNT="${#PACKAGES[@]}"
if [ -n "${PAL_PACKAGES:-}" ]; then
  mapfile -t PACKAGES < <(printf '%s\n' "${PACKAGES[@]}" | grep -E "^($(echo "$PAL_PACKAGES" | xargs | tr ' ' '|'))"$'\t')
fi
[ "${#PACKAGES[@]}" -gt 0 ] || fail "no published @pal/* packages found"
filters=()
for entry in "${PACKAGES[@]}"; do filters+=(--filter "${entry%%$'\t'*}..."); done
filters+=(--filter "@pal/backend-conformance...")  # private, but step 5 runs it

step "Build (turbo; cached when the tests already built)"
pnpm exec turbo run build "${filters[@]}" --output-logs=errors-only >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; fail "pnpm build"; }
echo "  published packages: $(printf '%s ' "${PACKAGES[@]%%$'\t'*}")"

step "publint --strict and attw --pack --profile esm-only (${#PACKAGES[@]} packages)"
for entry in "${PACKAGES[@]}"; do
  name="${entry%%$'\t'*}"; dir="${entry#*$'\t'}"
  "$PAL_TOOLS_BIN/publint" --strict "$dir" >"$WORK/publint.log" 2>&1 || { cat "$WORK/publint.log"; fail "publint --strict $name"; }
  "$PAL_TOOLS_BIN/attw" --pack "$dir" --profile esm-only --format table-flipped >"$WORK/attw.log" 2>&1 || { cat "$WORK/attw.log"; fail "attw --pack --profile esm-only $name"; }
  echo "  ok: $name"
done

step "pnpm pack every published package into $WORK/tarballs"
filters=()
for entry in "${PACKAGES[@]}"; do filters+=(--filter "${entry%%$'\t'*}"); done
pnpm -r "${filters[@]}" pack --pack-destination "$WORK/tarballs" >"$WORK/pack.log" 2>&1 || { cat "$WORK/pack.log"; fail "pnpm pack"; }
node scripts/lib/check-packed-tarballs.mjs "$WORK/tarballs" "$PAL_TOOLS_DIR"
tarball() { local file; file="$(ls "$WORK/tarballs/$1"-[0-9]*.tgz 2>/dev/null | head -1)"; [ -n "$file" ] || fail "no tarball for $1 in $WORK/tarballs"; echo "$file"; }
CORE_TGZ="$(tarball pal-core)"
ONNX_TGZ="$(tarball pal-backend-onnx)"

new_project() {
  mkdir -p "$1"
  printf '{\n  "name": "%s",\n  "private": true,\n  "type": "module"\n}\n' "$(basename "$1")" >"$1/package.json"
}

step "Scratch project 1 ($WORK/scratch-train): npm install @pal/core + @pal/backend-onnx tarballs, train PAL-B, save, reload, score"
new_project "$WORK/scratch-train"
(cd "$WORK/scratch-train" && npm install --no-audit --no-fund --loglevel=error "$CORE_TGZ" "$ONNX_TGZ") || fail "npm install in scratch project 1"
cp scripts/scratch/train-save-reload-score.mjs scripts/scratch/check.mjs "$WORK/scratch-train/"
(cd "$WORK/scratch-train" && node train-save-reload-score.mjs "$WORK/checkpoint" "$WORK/expected-scores.json" onnx) || fail "scratch project 1 (train, save, reload, score on @pal/backend-onnx)"
echo "  docs/getting-started.md, run as written in the same project:"
node scripts/lib/extract-code-blocks.mjs docs/getting-started.md "$WORK/scratch-train/docs"
(cd "$WORK/scratch-train/docs" && node getting-started.mjs) || fail "the code of docs/getting-started.md (in scratch project 1)"

step "Scratch project 2 ($WORK/scratch-score): npm install the @pal/core tarball alone, score with the checkpoint on the reference engine"
new_project "$WORK/scratch-score"
(cd "$WORK/scratch-score" && npm install --no-audit --no-fund --loglevel=error "$CORE_TGZ") || fail "npm install in scratch project 2"
installed="$(cd "$WORK/scratch-score/node_modules" && ls -d @*/* [!@.]* 2>/dev/null | sort | tr '\n' ' ')"
[ "$installed" = "@pal/core zod " ] || fail "scratch project 2: expected node_modules to hold @pal/core and zod only, found: $installed"
echo "  node_modules: $installed"
cp scripts/scratch/score-with-checkpoint.mjs scripts/scratch/check.mjs "$WORK/scratch-score/"
(cd "$WORK/scratch-score" && node score-with-checkpoint.mjs "$WORK/checkpoint" "$WORK/expected-scores.json") || fail "scratch project 2 (score with the checkpoint, @pal/core only)"

step "Guide check ($WORK/scratch-backend-guide): the skeleton of docs/guides/add-a-backend.md, type-checked and run against the conformance kit"
# The kit is private (never published): pack its built dist with workspace ranges resolved, as pnpm would.
mkdir -p "$WORK/kit" "$WORK/kit-tarball"
cp -r tooling/backend-conformance/package.json tooling/backend-conformance/dist "$WORK/kit/"
node scripts/lib/resolve-workspace-ranges.mjs "$WORK/kit/package.json" "$(node -p 'require("./packages/core/package.json").version')"
(cd "$WORK/kit" && npm pack --pack-destination "$WORK/kit-tarball" --loglevel=error >/dev/null) || fail "packing the conformance kit"
vitest_version="$(node -p 'require("./node_modules/vitest/package.json").version')"
zod_version="$(node -p 'require("./packages/core/package.json").dependencies.zod')"
new_project "$WORK/scratch-backend-guide"
(cd "$WORK/scratch-backend-guide" && npm install --no-audit --no-fund --loglevel=error "$CORE_TGZ" "$WORK"/kit-tarball/*.tgz "vitest@$vitest_version" "zod@$zod_version") \
  || fail "npm install in the backend guide project"
node scripts/lib/extract-code-blocks.mjs docs/guides/add-a-backend.md "$WORK/scratch-backend-guide"
cat >"$WORK/scratch-backend-guide/tsconfig.json" <<'JSON'
{
  "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "skipLibCheck": true, "types": [] },
  "include": ["src"]
}
JSON
(cd "$WORK/scratch-backend-guide" && "$PAL_TOOLS_BIN/tsc" -p tsconfig.json) || fail "type-checking the code of docs/guides/add-a-backend.md"
(cd "$WORK/scratch-backend-guide" && NO_COLOR=1 npx --no-install vitest run --reporter=dot >"$WORK/backend-guide.log" 2>&1) || { cat "$WORK/backend-guide.log"; fail "the tests of docs/guides/add-a-backend.md"; }
echo "  ok: type-checked; $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/backend-guide.log" | grep -E '^ *Tests ' | xargs)"

step "pnpm changeset status"
pnpm changeset status --output "$WORK/release-plan.json" >"$WORK/changeset.log" 2>&1 || { cat "$WORK/changeset.log"; fail "pnpm changeset status"; }
plan_status=0
node scripts/lib/check-release-plan.mjs "$WORK/release-plan.json" || plan_status=$?
# Exit code 3: the plan leaves 0.x although no changeset asks for it (peer ranges must span all of 0.x).
if [ "$plan_status" -eq 3 ]; then fail "the release plan leaves 0.x"; fi
if [ "$plan_status" -ne 0 ]; then fail "reading the release plan"; fi

step "pnpm publish -r --dry-run --no-git-checks"
pnpm publish -r --dry-run --no-git-checks >"$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; fail "pnpm publish -r --dry-run"; }
count="$(grep -c '(dry run)' "$WORK/publish.log" || true)"
[ "$count" -eq "$PUBLISHED_COUNT" ] || { cat "$WORK/publish.log"; fail "pnpm publish --dry-run: expected $PUBLISHED_COUNT packages, found $count"; }
echo "  $count packages would be published: $(grep -o '@pal/[a-z0-9-]*@[0-9.]*' "$WORK/publish.log" | sort -u | tr '\n' ' ')"

step "Packaging checks passed in $((SECONDS - STARTED)) s"
