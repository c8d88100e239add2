#!/usr/bin/env bash
# The main job: the whole stagecore workflow in a scratch git repository, printing each
# command and what it printed. Run by `make demo`; the test suite runs it too
# (tests/test_walkthrough.py), so it cannot rot. Needs `stagecore` and `git` on PATH.
set -euo pipefail

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/stagecore-walkthrough.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export GIT_AUTHOR_NAME="Walkthrough" GIT_AUTHOR_EMAIL="walk@example.invalid"
export GIT_COMMITTER_NAME="Walkthrough" GIT_COMMITTER_EMAIL="walk@example.invalid"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
# run: print the command, run it, indent its output; fail the walkthrough if it fails
run() {
    printf '\n$ %s\n' "$*"
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
    if [ "$rc" -ne 0 ]; then printf 'walkthrough: `%s` failed with exit %s\n' "$*" "$rc" >&2; exit 1; fi
}
# refused: the command must fail (a refusal is the point of the step)
refused() {
    printf '\n$ %s    # expected to be refused\n' "$*"
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
    if [ "$rc" -eq 0 ]; then printf 'walkthrough: `%s` should have failed\n' "$*" >&2; exit 1; fi
    printf '    (exit %s, as it should)\n' "$rc"
}
check() { if ! eval "$1"; then printf 'walkthrough: check failed: %s\n' "$1" >&2; exit 1; fi; }

cd "$SCRATCH"
section "stagecore $(stagecore --version): a scratch repository in $SCRATCH"
run git init -q -b main project
cd project
run stagecore init

section "Track a data file and a directory"
printf 'id,label\n1,cat\n2,dog\n' > labels.csv
mkdir -p images/cats images/dogs
for i in 1 2 3; do printf 'cat picture %s\n' "$i" > "images/cats/$i.jpg"; printf 'dog picture %s\n' "$i" > "images/dogs/$i.jpg"; done
run stagecore add labels.csv images
run cat labels.csv.dvc
run cat .gitignore
run stagecore status
run git add .gitignore labels.csv.dvc images.dvc
run git commit -q -m "Track labels and images"

section "Change the data: status notices, commit records it"
printf '3,bird\n' >> labels.csv
run stagecore status
run stagecore commit
run stagecore status
run git commit -q -am "More labels"
run git log --oneline

section "Delete the data, check it out again from the cache"
rm -rf images labels.csv
run stagecore status
run stagecore checkout
check '[ -f images/cats/2.jpg ] && grep -q bird labels.csv'
run ls images/cats

section "Go back to the first version of the data"
run git checkout -q HEAD~1 -- labels.csv.dvc
run stagecore checkout
run cat labels.csv
check '! grep -q bird labels.csv'
run git checkout -q HEAD -- labels.csv.dvc
run stagecore checkout

printf '\nwalkthrough: all steps passed\n'
