"""The stage graph (pure): an edge joins a stage to the stages producing what it depends on.

An output of stage B that is, contains or lies inside a dependency (file or params file) of
stage A makes A depend on B. Building the graph refuses what DVC refuses: an output claimed by
two stages, one output inside another, a dvc file inside an output, and cycles.
Orders are DVC's: depth-first post-order over stages in index order, dependencies first.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Callable, Iterable

from stagecore.core.entry import resolve
from stagecore.core.stage import Stage, is_external_dep
from stagecore.errors import EXIT_PIPELINE, StagecoreError


class PipelineGraphError(StagecoreError):
    exit_code = EXIT_PIPELINE


def _dep_paths(stage: Stage) -> list[str]:
    """Local dependency paths (repo-relative); URLs, absolute paths and imports never join two stages."""
    paths = [stage.dep_path(dep) for dep in stage.deps if not is_external_dep(dep)]
    paths.extend(resolve(stage.wdir, pfile) for pfile in stage.params)
    return paths


class Graph:
    def __init__(self, stages: list[Stage], upstream: dict[Stage, list[Stage]]) -> None:
        self.stages = stages
        self.upstream = upstream  # stage -> the stages it depends on, in edge order
        self.downstream: dict[Stage, list[Stage]] = {s: [] for s in stages}
        for stage in stages:  # in node order, as networkx's reverse() lists them
            for up in upstream[stage]:
                self.downstream[up].append(stage)

    @property
    def edges(self) -> list[tuple[Stage, Stage]]:
        """(upstream, downstream) pairs, upstream in node order."""
        return [(up, down) for up in self.stages for down in self.downstream[up]]

    def active(self) -> Graph:
        """The graph without the upstream edges of frozen stages (what repro walks)."""
        return Graph(self.stages, {s: ([] if s.frozen else list(self.upstream[s])) for s in self.stages})

    def closure(self, targets: Iterable[Stage], downstream: bool = False) -> set[Stage]:
        nxt = self.downstream if downstream else self.upstream
        seen: set[Stage] = set()
        stack = list(targets)
        while stack:
            stage = stack.pop()
            if stage not in seen:
                seen.add(stage)
                stack.extend(nxt[stage])
        return seen

    def postorder(self, nodes: set[Stage] | None = None) -> list[Stage]:
        """Every stage (of `nodes`) after the stages it depends on (DFS post-order)."""
        order: list[Stage] = []
        done: set[Stage] = set()
        for root in self.stages:
            if root in done or (nodes is not None and root not in nodes):
                continue
            done.add(root)
            stack = [(root, iter(self.upstream[root]))]
            while stack:
                node, children = stack[-1]
                for child in children:
                    if child not in done and (nodes is None or child in nodes):
                        done.add(child)
                        stack.append((child, iter(self.upstream[child])))
                        break
                else:
                    stack.pop()
                    order.append(node)
        return order

    def plan(self, targets: list[Stage] | None = None, *, downstream: bool = False,
             pipeline: bool = False) -> list[Stage]:
        """The stages `repro` visits, in order (DVC's `plan_repro`)."""
        if not targets:
            return self.postorder()
        if pipeline:
            nodes: set[Stage] = set()
            for comp in self.pipelines():
                if any(t in comp for t in targets):
                    nodes.update(comp)
            return self.postorder(nodes)
        return self.postorder(self.closure(targets, downstream=downstream))

    def pipelines(self) -> list[list[Stage]]:
        """Weakly connected components, each in node order."""
        seen: set[Stage] = set()
        result = []
        for root in self.stages:
            if root in seen:
                continue
            comp: set[Stage] = set()
            stack = [root]
            while stack:
                node = stack.pop()
                if node not in comp:
                    comp.add(node)
                    stack.extend(self.upstream[node])
                    stack.extend(self.downstream[node])
            seen |= comp
            result.append([s for s in self.stages if s in comp])
        return result

    def subgraph(self, nodes: set[Stage]) -> Graph:
        kept = [s for s in self.stages if s in nodes]
        return Graph(kept, {s: [u for u in self.upstream[s] if u in nodes] for s in kept})


def build_graph(stages: list[Stage]) -> Graph:
    owner: dict[str, tuple[Stage, str]] = {}
    for stage in stages:
        for out in stage.outs:
            path = stage.out_path(out)
            prev = owner.get(path)
            if prev is not None and prev[0] != stage:
                raise PipelineGraphError(
                    f"output '{path}' is specified in more than one stage: "
                    f"'{prev[0].addressing}' and '{stage.addressing}'",
                    hint=f"remove it from one of them (`stagecore remove {stage.addressing}` drops a stage)",
                )
            owner.setdefault(path, (stage, path))
    paths = sorted(owner)
    for path in paths:
        for parent in _parents(path):
            if parent in owner:
                raise PipelineGraphError(
                    f"output '{path}' of '{owner[path][0].addressing}' is inside output '{parent}' "
                    f"of '{owner[parent][0].addressing}'",
                    hint="outputs must be in separate tracked directories, or tracked individually",
                )
    for stage in stages:
        for parent in _parents(stage.dvcfile):
            if parent in owner:
                raise PipelineGraphError(
                    f"'{stage.dvcfile}' is within an output '{parent}' of another stage",
                    hint="move the dvc file out of the output directory",
                )
    upstream: dict[Stage, list[Stage]] = {}
    for stage in stages:
        ups: list[Stage] = []
        for dep in _dep_paths(stage):
            for producer in _producers(dep, owner, paths):
                if producer not in ups:
                    ups.append(producer)
        upstream[stage] = ups
    graph = Graph(stages, upstream)
    _check_acyclic(graph)
    return graph


def _parents(path: str) -> list[str]:
    """The directories above `path`, innermost first (an absolute path stops below `/`)."""
    out = []
    cur = posixpath.dirname(path)
    while cur.strip("/"):
        out.append(cur)
        cur = posixpath.dirname(cur)
    return out


def _producers(dep: str, owner: dict[str, tuple[Stage, str]], paths: list[str]) -> list[Stage]:
    found = [owner[p][0] for p in [dep, *_parents(dep)] if p in owner]
    i = bisect.bisect_left(paths, dep + "/")
    while i < len(paths) and paths[i].startswith(dep + "/"):
        found.append(owner[paths[i]][0])
        i += 1
    return found


def _check_acyclic(graph: Graph) -> None:
    state: dict[Stage, int] = {}
    for root in graph.stages:
        if root in state:
            continue
        path = [root]
        state[root] = 1
        stack = [iter(graph.upstream[root])]
        while stack:
            for child in stack[-1]:
                if state.get(child) == 1:
                    cycle = path[path.index(child):]
                    names = ", ".join(sorted(s.addressing for s in cycle))
                    word = "stage" if len(cycle) == 1 else "stages"
                    raise PipelineGraphError(
                        f"Same item(s) are defined as both a dependency and an output in {word}: {names}.",
                        hint="a stage cannot depend on its own output, directly or through other stages",
                    )
                if child not in state:
                    state[child] = 1
                    path.append(child)
                    stack.append(iter(graph.upstream[child]))
                    break
            else:
                stack.pop()
                state[path.pop()] = 2


def walk_order(stages: list[Stage], listdir: Callable[[str], list[str]]) -> list[Stage]:
    """The stages in DVC's index order: its collection walks the work tree top-down (`os.walk`),
    each directory's dvc files in directory-listing order before its sub-directories (themselves
    in listing order, depth first); a file's stages keep their order. `listdir(reldir)` gives a
    directory's entries in the order the file system lists them ("" is the root)."""
    tree: dict[str, tuple[list[str], list[str]]] = {}  # reldir -> (file names, sub-directory names)
    for dvcfile in dict.fromkeys(s.dvcfile for s in stages):
        parts = dvcfile.split("/")
        for depth in range(len(parts)):
            reldir = "/".join(parts[:depth])
            names = tree.setdefault(reldir, ([], []))[1 if depth < len(parts) - 1 else 0]
            if parts[depth] not in names:
                names.append(parts[depth])
    rank: dict[str, int] = {}

    def visit(reldir: str) -> None:
        files, dirs = tree[reldir]
        listed = {name: i for i, name in enumerate(listdir(reldir))}

        def key(name: str) -> tuple[int, str]:
            return (listed.get(name, len(listed)), name)

        for name in sorted(files, key=key):
            rank[f"{reldir}/{name}" if reldir else name] = len(rank)
        for name in sorted(dirs, key=key):
            visit(f"{reldir}/{name}" if reldir else name)

    if tree:
        visit("")
    return sorted(stages, key=lambda s: rank[s.dvcfile])
