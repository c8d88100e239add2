"""Drawing a stage graph (pure): boxes on a character canvas, Graphviz dot, Mermaid.

Input is node labels plus `(upstream, downstream)` label pairs, so callers can relabel or
collapse nodes first. Upstream stages are drawn above the stages that depend on them.
"""

from __future__ import annotations

GAP_ROWS = 3  # rows of `*` between two layers, as DVC draws them
GAP_COLS = 4


_DUMMY = "\0"  # prefix of the points a long edge passes through (no stage name holds a NUL)


def _width(node: str) -> int:
    return 1 if node.startswith(_DUMMY) else len(node) + 4


def _depths(nodes: list[str], ups: dict[str, list[str]], downs: dict[str, list[str]]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for node in nodes:  # longest path from a source; the graph is acyclic
        stack = [node]
        while stack:
            cur = stack[-1]
            pending = [u for u in ups[cur] if u not in depth]
            if cur in depth:
                stack.pop()
            elif pending:
                stack.extend(pending)
            else:
                depth[cur] = 1 + max((depth[u] for u in ups[cur]), default=-1)
                stack.pop()
    for node in nodes:  # a source sits right above the first stage that uses it
        if not ups[node] and downs[node]:
            depth[node] = min(depth[d] for d in downs[node]) - 1
    return depth


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> tuple[list[list[str]], list[list[str]]]:
    """The layers top-down, and for each edge the chain of points it is drawn through: an edge
    that skips layers passes through one point per layer it crosses (as grandalf's Sugiyama
    layout routes it), so no edge runs through a box and every edge is drawn."""
    ups: dict[str, list[str]] = {n: [] for n in nodes}
    downs: dict[str, list[str]] = {n: [] for n in nodes}
    for up, down in edges:
        ups[down].append(up)
        downs[up].append(down)
    depth = _depths(nodes, ups, downs)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in nodes:
        layers[depth[node]].append(node)
    point_ups: dict[str, list[str]] = {n: list(ups[n]) for n in nodes}
    chains: list[list[str]] = []
    for up, down in edges:
        chain = [up]
        for level in range(depth[up] + 1, depth[down]):
            point = f"{_DUMMY}{len(point_ups)}"
            point_ups[point] = [chain[-1]]
            layers[level].append(point)
            chain.append(point)
        point_ups[down] = [chain[-1] if u == up else u for u in point_ups[down]]
        chains.append([*chain, down])
    for i in range(1, len(layers)):  # order by the mean position of the upstream points
        prev = {n: k for k, n in enumerate(layers[i - 1])}

        def weight(n: str, prev: dict[str, int] = prev) -> float:
            pos = [prev[u] for u in point_ups[n] if u in prev]
            return sum(pos) / len(pos) if pos else float(len(prev))

        layers[i].sort(key=weight)
    return layers, chains


def render_ascii(nodes: list[str], edges: list[tuple[str, str]]) -> str:
    if not nodes:
        return ""
    layers, chains = _layers(nodes, edges)
    row_width = [sum(_width(n) for n in layer) + GAP_COLS * (len(layer) - 1) for layer in layers]
    width = max(row_width)
    height = len(layers) * 3 + (len(layers) - 1) * GAP_ROWS
    canvas = [[" "] * width for _ in range(height)]
    center: dict[str, tuple[int, int]] = {}  # node -> (column of its centre, top row)
    for i, layer in enumerate(layers):
        x = (width - row_width[i]) // 2
        top = i * (3 + GAP_ROWS)
        for node in layer:
            center[node] = (x + _width(node) // 2, top)
            x += _width(node) + GAP_COLS
    for chain in chains:
        for up, down in zip(chain, chain[1:], strict=False):
            (x0, t0), (x1, t1) = center[up], center[down]
            _line(canvas, x0, t0 + 3, x1, t1 - 1)
            if down.startswith(_DUMMY):  # through the layer's box rows, beside the boxes
                for y in range(t1, t1 + 3):
                    canvas[y][x1] = "*"
    for node, (cx, top) in center.items():
        if node.startswith(_DUMMY):
            continue
        x = cx - (len(node) + 4) // 2
        border = "+" + "-" * (len(node) + 2) + "+"
        for dy, text in enumerate((border, f"| {node} |", border)):
            canvas[top + dy][x:x + len(text)] = list(text)
    return "\n".join("".join(row).rstrip() for row in canvas)


def _line(canvas: list[list[str]], x0: int, y0: int, x1: int, y1: int) -> None:
    prev = x0
    for y in range(y0, y1 + 1):
        x = x0 if y1 == y0 else round(x0 + (x1 - x0) * (y - y0) / (y1 - y0))
        if y == y0 or x == prev:
            cells = range(x, x + 1)
        elif x > prev:
            cells = range(prev + 1, x + 1)
        else:
            cells = range(x, prev)
        for cx in cells:
            if canvas[y][cx] == " ":
                canvas[y][cx] = "*"
        prev = x


def _quote(label: str) -> str:
    return label if label.startswith('"') and label.endswith('"') else f'"{label}"'


def render_dot(nodes: list[str], edges: list[tuple[str, str]]) -> str:
    lines = ["strict digraph {"]
    lines.extend(f"{_quote(n)};" for n in nodes)
    lines.extend(f"{_quote(a)} -> {_quote(b)};" for a, b in edges)
    return "\n".join(lines) + "\n}\n"


def render_mermaid(pipelines: list[tuple[list[str], list[tuple[str, str]]]], markdown: bool = False) -> str:
    text = "flowchart TD"
    total = 0
    for nodes, edges in pipelines:
        ids: dict[str, str] = {}
        for node in sorted(nodes):
            total += 1
            ids[node] = f"node{total}"
            text += f'\n\t{ids[node]}["{node}"]'
        for a, b in sorted(edges):
            text += f"\n\t{ids[a]}-->{ids[b]}"
    return f"```mermaid\n{text}\n```" if markdown else text
