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

# ANSI bold only on a terminal: `make demo > demo.txt` writes plain text
if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
section() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$PLAIN"; }
# shell: print a shell command line as typed, then run it (the steps that create or change data)
shell() {
    printf '\n$ %s\n' "$1"
    eval "$1" || { printf 'walkthrough: `%s` failed\n' "$1" >&2; exit 1; }
}
# write PATH: print `cat > PATH <<'EOF'` with the text from stdin, then write it
write() {
    local text
    text=$(cat)
    printf '\n$ cat > %s <<'"'EOF'"'\n%s\nEOF\n' "$1" "$text"
    printf '%s\n' "$text" > "$1"
}
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
shell "printf 'id,label\\n1,cat\\n2,dog\\n' > labels.csv"
shell "mkdir -p images/cats images/dogs"
shell "for i in 1 2 3; do echo \"cat picture \$i\" > images/cats/\$i.jpg; echo \"dog picture \$i\" > images/dogs/\$i.jpg; done"
run stagecore add labels.csv images
run cat labels.csv.dvc
run cat .gitignore
run stagecore status
run git add .gitignore labels.csv.dvc images.dvc
run git commit -q -m "Track labels and images"

section "Change the data: status notices, commit records it"
shell "printf '3,bird\\n' >> labels.csv"
run stagecore status
run stagecore commit -f
run stagecore status
run git commit -q -am "More labels"
run git log --oneline

section "Delete the data, check it out again from the cache"
shell "rm -rf images labels.csv"
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

section "A pipeline: prepare and train stages (the seeds' tutorial)"
shell "mkdir -p src data"
shell "printf 'row1\\nrow2\\nrow3\\nrow4\\nrow5\\n' > data/data.xml"
write src/prepare.py <<'PY'
import os, sys
rows = open(sys.argv[1]).read().split()
os.makedirs("data/prepared", exist_ok=True)
cut = len(rows) * 2 // 3
open("data/prepared/train.tsv", "w").write("\n".join(rows[:cut]) + "\n")
open("data/prepared/test.tsv", "w").write("\n".join(rows[cut:]) + "\n")
PY
write src/train.py <<'PY'
import json
params = dict(line.split(": ") for line in open("params.yaml").read().splitlines())
rows = open("data/prepared/train.tsv").read().split()
open("model.pkl", "w").write(f"model: {len(rows)} rows, lr {params['lr']}\n")
json.dump({"rows": len(rows), "lr": float(params["lr"])}, open("metrics.json", "w"))
PY
shell "printf 'lr: 0.1\\n' > params.yaml"
run stagecore add data/data.xml
run stagecore run -n prepare -d src/prepare.py -d data/data.xml -o data/prepared python3 src/prepare.py data/data.xml
run stagecore run -n train -d data/prepared -d src/train.py -p lr -o model.pkl -M metrics.json python3 src/train.py
run cat dvc.yaml
run cat data/.gitignore
run stagecore repro
run stagecore dag
run stagecore metrics show
run git add -A
run git commit -q -m "Pipeline: prepare and train"

section "Change the data: repro reruns what depends on it, nothing else"
shell "printf 'row6\\nrow7\\n' >> data/data.xml"
run stagecore status
run stagecore add data/data.xml
run stagecore repro
run stagecore metrics show
run git add -A
run git commit -q -m "More data"

section "Git hooks: a stale pipeline cannot be committed"
run stagecore install
shell "printf '# tuned\\n' >> src/train.py"
run git add src/train.py
refused git commit -m "Tune training without rerunning it"
run stagecore repro
run git add dvc.lock metrics.json
run git commit -q -m "Tune training"

section "Switching branches swaps the data"
run git checkout -q -b bigger-lr
shell "printf 'lr: 0.5\\n' > params.yaml"
run stagecore repro
run git add -A
run git commit -q -m "Bigger learning rate"
run cat model.pkl
run git checkout main
run cat model.pkl
check 'grep -q "lr 0.1" model.pkl'
run git checkout bigger-lr
check 'grep -q "lr 0.5" model.pkl'
run git checkout -q main

section "A data remote: git push carries the data of exactly the pushed commits"
run stagecore remote add -d mystorage "$SCRATCH/data-storage"
run git add .dvc/config
run git commit -q -m "Data remote"
run git init -q --bare -b main "$SCRATCH/origin.git"
run git remote add origin "$SCRATCH/origin.git"
run stagecore status -c
run git push -q origin main bigger-lr
run stagecore status -c

section "A fresh clone gets its data back"
cd "$SCRATCH"
run git clone -q "$SCRATCH/origin.git" teammate
cd teammate
run stagecore pull
check '[ -f data/prepared/train.tsv ] && grep -q "lr 0.1" model.pkl'
run stagecore status
cd "$SCRATCH"
shell "rm -rf teammate/.dvc/cache"  # (a cache of its own: the next clone gets nothing from it)
run git -c core.hooksPath="$SCRATCH/project/.git/hooks" clone "$SCRATCH/origin.git" second
check 'grep -q "lr 0.1" second/model.pkl && [ -f second/images/dogs/3.jpg ]'
run cat second/model.pkl

printf '\nwalkthrough: all steps passed\n'
