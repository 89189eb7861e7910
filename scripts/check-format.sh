#!/usr/bin/env bash
# Checks that every C++ file under harness/, tests/ and bench/ is formatted as .clang-format says: prints the
# files that are not and exits 1 if there is any. `scripts/check-format.sh --fix` formats them in place instead.
# Uses clang-format 14 (Debian 12's clang-format package; another version formats some lines differently):
# CLANG_FORMAT=/path/to/clang-format overrides.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
  --fix) fix=1 ;;
  "") ;;
  *) echo "usage: scripts/check-format.sh [--fix]" >&2; exit 2 ;;
esac

cf="${CLANG_FORMAT:-}"
if [ -z "$cf" ]; then
  for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null; then cf="$c"; break; fi
  done
fi
if [ -z "$cf" ]; then
  echo "check-format: clang-format not found (apt-get install clang-format)" >&2
  exit 2
fi
version="$("$cf" --version)"
case "$version" in
  *" 14."*) ;;
  *) echo "check-format: warning: $version; the project's files are formatted with clang-format 14" >&2 ;;
esac

# The tracked files when this is a git checkout, else (an exported tree) the files on disk.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- 'harness/*.cpp' 'harness/*.hpp' 'tests/*.cpp' 'tests/*.hpp' \
                                       'bench/*.cpp' 'bench/*.hpp')
else
  mapfile -t files < <(find harness tests bench -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)
fi

if [ "$fix" = 1 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 "$cf" -i --style=file
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue  # deleted in the work tree, not yet in the index
  if ! "$cf" --dry-run --Werror --style=file "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [ "${#bad[@]}" -gt 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} files differ from .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "see what would change: $cf --style=file FILE | diff FILE -" >&2
  echo "fix them all: scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
