#!/usr/bin/env python3
"""The library's layering, measured: which `crate::` imports run from a lower layer to a higher
one, which modules import each other in a loop, and the largest source files.

    python3 .ci/layers.py          # report
    python3 .ci/layers.py --check  # exit 1 if an import runs back up, two modules import each
                                   # other, or a long file does not say why it is long

Layers, lowest first (a module may use its own layer and those below). The order is the one
docs/ARCHITECTURE.md describes; modules not listed count as the layer of their folder's parent.
"""

import re
import sys
from pathlib import Path

LAYERS = [
    ["error", "words", "offsets", "parallel", "format", "files", "xml", "csv", "lexicon", "transcript",
     "chart"],
    ["store", "keyfile"],
    ["corpus", "anchor", "history"],
    ["anonymise"],
    ["import"],
    ["codebook"],
    ["change", "search", "merge", "agreement", "coding", "memo", "groups", "attributes",
     "project", "privacy", "check", "analysis", "suggest"],
    ["export", "refi", "demo"],
    # The front-ends: the command line starts the terminal UI; neither is used by the library.
    ["cli", "tui"],
]
LEVEL = {m: i for i, layer in enumerate(LAYERS) for m in layer}
ROOT = Path(__file__).resolve().parent.parent / "src"
# Lines past which a source file must say why it is long (docs/ARCHITECTURE.md).
LONG = 720


def top_module(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".rs")


def uses(text: str) -> set[str]:
    found = set()
    for m in re.finditer(r"\bcrate::([a-z_]+)", text):
        found.add(m.group(1))
    for m in re.finditer(r"\buse crate::\{([^;]*)\}", text, re.S):
        for name in re.findall(r"\b([a-z_]+)\b", m.group(1)):
            found.add(name)
    return found


def main() -> int:
    files = sorted(p for p in ROOT.rglob("*.rs") if p.name not in ("lib.rs", "main.rs"))
    upward = []
    edges: dict[str, set[str]] = {}
    for f in files:
        text = f.read_text(encoding="utf-8")
        # Test modules may reach anywhere; comments and doc links are no imports.
        text = text.split("#[cfg(test)]")[0]
        text = re.sub(r"//[^\n]*", "", text)
        here = top_module(f)
        for target in uses(text):
            if target not in LEVEL or target == here or here not in LEVEL:
                continue
            edges.setdefault(here, set()).add(target)
            if LEVEL[target] > LEVEL[here]:
                upward.append((str(f.relative_to(ROOT.parent)), here, target))
    loops = sorted(
        {tuple(sorted((a, b))) for a, targets in edges.items() for b in targets
         if a in edges.get(b, set())}
    )
    sizes = sorted(
        ((len(p.read_text(encoding="utf-8").splitlines()), str(p.relative_to(ROOT.parent)))
         for p in ROOT.rglob("*.rs")),
        reverse=True,
    )
    print(f"imports running back up: {len(upward)}")
    for f, a, b in upward:
        print(f"  {f}: {a} (layer {LEVEL[a]}) uses {b} (layer {LEVEL[b]})")
    print(f"module pairs that import each other: {len(loops)}")
    for a, b in loops:
        print(f"  {a} <-> {b}")
    print("largest files:")
    for n, f in sizes[:5]:
        print(f"  {n:5} {f}")
    # A file over the size a reader takes in at once says in its module doc why it is long.
    crates = ROOT.parent / "crates"
    unexplained = []
    for p in list(ROOT.rglob("*.rs")) + list(crates.rglob("*.rs")):
        lines = p.read_text(encoding="utf-8").splitlines()
        doc = " ".join(l for l in lines if l.startswith("//!"))
        if len(lines) > LONG and not re.search(r"Longer than most modules|of its lines are|Development tooling", doc):
            unexplained.append((len(lines), str(p.relative_to(ROOT.parent))))
    print(f"files over {LONG} lines without a note saying why: {len(unexplained)}")
    for n, f in sorted(unexplained, reverse=True):
        print(f"  {n:5} {f}")
    if "--check" in sys.argv and (upward or loops or unexplained):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
