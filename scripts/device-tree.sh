#!/usr/bin/env bash
# Makes the working tree small enough for the GPU machine's `run` tool, and back.
#
# That tool copies the tracked and the untracked-but-not-ignored files of this checkout and
# refuses a tree over 64 MiB; the shipped model files (models/*/*.gguf) alone are ~150 MB.
#   scripts/device-tree.sh slim      untrack models/*/*.gguf (the files stay on disk), ignore them
#                                    in .git/info/exclude, and block commits until `restore`
#   scripts/device-tree.sh restore   put their index entries back exactly as HEAD has them
#   scripts/device-tree.sh size      what a call would carry now, in MiB
# Between `slim` and `restore` a commit would delete the models from the repository, so `slim`
# installs a pre-commit hook that refuses every commit until `restore` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
git_dir=$(git rev-parse --git-dir)
exclude="$git_dir/info/exclude"
hook="$git_dir/hooks/pre-commit"
marker="# device-tree.sh slim"

size() {
  git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 |
    awk '{ printf "%.1f MiB would travel\n", $1 / 1048576 }'
}

case "${1:-}" in
  slim)
    mkdir -p "$git_dir/info" "$git_dir/hooks"
    grep -qxF "$marker" "$exclude" 2>/dev/null || printf '%s\nmodels/*/*.gguf\n' "$marker" >>"$exclude"
    git ls-files -z 'models/*/*.gguf' | xargs -0 -r git rm -q --cached --
    printf '#!/bin/sh\necho "pre-commit: models are untracked for a GPU call; run scripts/device-tree.sh restore first" >&2\nexit 1\n' >"$hook"
    chmod +x "$hook"
    size
    ;;
  restore)
    git ls-tree -r -z --name-only HEAD -- models | grep -z '\.gguf$' | xargs -0 -r git reset -q HEAD --
    if [ -f "$exclude" ]; then
      sed -i "\\|^$marker\$|,+1d" "$exclude"
    fi
    rm -f "$hook"
    echo "restored: $(git ls-files 'models/*/*.gguf' | wc -l) model files tracked"
    ;;
  size) size ;;
  *) echo "usage: scripts/device-tree.sh slim|restore|size" >&2; exit 2 ;;
esac
