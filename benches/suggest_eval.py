#!/usr/bin/env python3
"""Suggestion quality on a second hand-coded set (docs/ANALYSIS.md, "Suggestions").

The twelve fictional interviews of benches/anon-eval (six Dutch, six English, three
participants each interviewed twice) were coded by hand with the CHIME codebooks; the codings
are in benches/suggest-eval/{nl,en}.tsv as file, code path and the exact quote. This script
builds one project per language from them (markup removed, anonymisation off: the texts are
fictional and the measure is about codes), applies the codings, and runs
`narrata suggest --evaluate --json`, leaving one document out at a time.

Usage: python3 benches/suggest_eval.py [path/to/narrata]   (default: target/release/narrata)
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = re.compile(r"\{[A-Z]+(?:#[^|}]*)?\|([^}]*)\}")
SETS = {"nl": "chime-herstel.nl.yaml", "en": "chime-recovery.en.yaml"}


def run(narrata, project, *args):
    out = subprocess.run(
        [narrata, "--project", str(project), "--coder", "hand", *args],
        check=True, capture_output=True, text=True,
    )
    return out.stdout


def build(narrata, lang, work):
    project = work / f"project-{lang}"
    subprocess.run([narrata, "init", str(project), "--language", lang, "--name",
                    f"suggestion evaluation ({lang})"], check=True, capture_output=True)
    run(narrata, project, "codebook", "import", str(ROOT / "codebooks" / SETS[lang]))
    plain = work / f"plain-{lang}"
    plain.mkdir()
    for f in sorted((ROOT / "benches" / "anon-eval" / lang).glob("P*_T*.md")):
        (plain / f.name).write_text(MARK.sub(r"\1", f.read_text(encoding="utf-8")),
                                    encoding="utf-8")
    run(narrata, project, "import", str(plain), "--anonymise", "off")
    docs = {d["title"]: d["id"] for d in json.loads(run(narrata, project, "docs", "--json"))}
    texts = {}
    codings = 0
    for line in (ROOT / "benches" / "suggest-eval" / f"{lang}.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, code, quote = line.split("\t")
        doc = docs[name.replace("_", " ")]
        if doc not in texts:
            texts[doc] = json.loads(run(narrata, project, "show", str(doc), "--json"))["text"]
        # Typographic and straight apostrophes match each other (one character each, so the
        # offsets stay those of the stored text).
        text = texts[doc].replace("\u2019", "'")
        at = text.find(quote.replace("\u2019", "'"))
        if at < 0:
            sys.exit(f"{lang}: quote not found in {name}: {quote!r}")
        if text.find(quote.replace("\u2019", "'"), at + 1) >= 0:
            sys.exit(f"{lang}: quote found twice in {name}: {quote!r}")
        run(narrata, project, "code", "add", str(doc), str(at), str(at + len(quote)), code)
        codings += 1
    result = json.loads(run(narrata, project, "suggest", "--evaluate", "--json"))
    result["codings"] = codings
    result["codes_used"] = len({l.split("\t")[1] for l in (ROOT / "benches" / "suggest-eval" / f"{lang}.tsv").read_text("utf-8").splitlines() if l and not l.startswith("#")})
    return result


def main():
    narrata = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "narrata")
    with tempfile.TemporaryDirectory() as tmp:
        for lang in SETS:
            r = build(narrata, lang, pathlib.Path(tmp))
            at03 = next(t for t in r["thresholds"] if abs(t["threshold"] - 0.3) < 1e-9)
            print(f"{lang}: {r['documents']} documents, {r['codings']} codings of {r['codes_used']} codes, "
                  f"{r['turns']} coded turns evaluated; P@1 {r['precision_at_1']:.2f} "
                  f"(most frequent: {r['baseline_at_1']:.2f}), P@3 {r['precision_at_3']:.2f} "
                  f"(most frequent: {r['baseline_at_3']:.2f}); at threshold 0.3: "
                  f"{at03['shown']:.0%} of turns shown, P@1 {at03['precision_at_1']:.2f}")
            for t in r["thresholds"]:
                print(f"    threshold {t['threshold']:.1f}: shown {t['shown']:.0%}, P@1 {t['precision_at_1']:.2f}")


if __name__ == "__main__":
    main()
