from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "dag",
        description="Show the graph of pipeline stages and how they depend on each other.",
        epilog="example: stagecore dag train",
        help="show the stage graph")
    p.add_argument("target", nargs="?", help="only this stage and the stages it depends on")
    p.add_argument("--full", action="store_true", help="with TARGET: its whole pipeline")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--dot", action="store_true", help="Graphviz dot")
    fmt.add_argument("--mermaid", action="store_true", help="Mermaid flowchart")
    fmt.add_argument("--md", action="store_true", help="Mermaid flowchart in a markdown block")
    p.add_argument("--collapse-foreach-matrix", action="store_true",
                   help="draw each foreach/matrix group as one node")
    p.set_defaults(func=run)


def _labels(graph, collapse: bool):
    def label(stage) -> str:
        name = stage.addressing
        if collapse and stage.name is not None and "@" in stage.name:
            return name.rsplit("@", 1)[0]
        return name

    nodes: list[str] = []
    for stage in graph.stages:
        if label(stage) not in nodes:
            nodes.append(label(stage))
    edges: list[tuple[str, str]] = []
    for up, down in graph.edges:
        pair = (label(up), label(down))
        if pair not in edges and pair[0] != pair[1]:
            edges.append(pair)
    return nodes, edges


def _lister(root: str):
    import os

    def listdir(reldir: str) -> list[str]:
        try:
            return os.listdir(os.path.join(root, reldir))  # the file system's order, as DVC's os.walk
        except OSError:
            return []

    return listdir


def run(args) -> int:
    import sys

    from stagecore.cli.common import open_repo
    from stagecore.core.dag import build_graph, walk_order
    from stagecore.core.dagrender import render_ascii, render_dot, render_mermaid
    from stagecore.ops import targets

    with open_repo() as repo:
        stages = walk_order(repo.stages(), _lister(repo.root))  # DVC's node order
        graph = build_graph(stages)
        if args.target:
            chosen = targets.resolve(repo, [args.target], stages=stages)
            if args.full:
                keep: set = set()
                for comp in graph.pipelines():
                    if any(s in comp for s in chosen):
                        keep.update(comp)
            else:
                keep = graph.closure(chosen)
            graph = graph.subgraph(keep)
    collapse = args.collapse_foreach_matrix
    if args.dot:
        nodes, edges = _labels(graph, collapse)
        sys.stdout.write(render_dot(nodes, edges) + "\n")
        return 0
    parts = [_labels(graph.subgraph(set(comp)), collapse) for comp in graph.pipelines()]
    if args.mermaid or args.md:
        print(render_mermaid(parts, markdown=args.md))
        return 0
    drawings = [render_ascii(nodes, edges) for nodes, edges in parts]
    if drawings:
        print("\n".join(drawings))
    return 0
