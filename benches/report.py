"""Prints the benchmark table from the results.jsonl files benches/run.sh writes (one per corpus
size): every budget beside what was measured and, where an alternative did the
same work on the same files, its figure and the ratio. With several sizes, a second table shows
how time and memory grow with the corpus."""
import json, re, sys


def load(path):
    steps = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        steps.setdefault(r["step"], []).append(r)
    return steps


def one(steps, name, **match):
    for r in steps.get(name, []):
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def fmt(x, unit="", digits=1):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}{unit}"


def ratio(ours, theirs, higher_is_better=False):
    if not ours or not theirs:
        return "–"
    r = ours / theirs if higher_is_better else theirs / ours
    return f"{r:,.0f}×" if r >= 10 else f"{r:,.1f}×"


def main(paths):
    sizes = [(p, load(p)) for p in paths]
    standard = next((s for p, s in sizes if one(s, "corpus")["participants"] == 300), sizes[-1][1])
    s = standard
    corpus = one(s, "corpus")
    imp, summary = one(s, "import"), one(s, "import_summary")["summary"]
    mb = corpus["bytes"] / 1e6
    rows = []

    def row(what, measured, budget, ok, alternative="–", vs="–"):
        rows.append((what, measured, budget, "yes" if ok else ("–" if ok is None else "**no**"), alternative, vs))

    speed = mb / imp["seconds"]
    deduce = one(s, "deduce")
    deduce_speed = deduce and deduce["bytes"] / 1e6 / deduce["seconds"]
    row("import, anonymised and indexed", f"{fmt(speed, ' MB/s')} ({mb:.1f} MB in {imp['seconds']:.1f} s)", "≥ 5 MB/s", speed >= 5,
        deduce and f"DEDUCE, anonymisation only: {fmt(deduce_speed, ' MB/s', 2)} (+{deduce['init_seconds']:.0f} s start)", ratio(speed, deduce_speed, True))
    qc_import = one(s, "qc_import")
    row("import, peak memory", fmt(imp["peak_mb"], " MB", 0), "< 500 MB", imp["peak_mb"] < 500,
        deduce and f"DEDUCE: {fmt(deduce['peak_mb'], ' MB', 0)}", ratio(imp["peak_mb"], deduce and deduce["peak_mb"]))
    plain = one(s, "import_plain")
    if plain:
        plain_speed = mb / plain["seconds"]
        qc_speed = qc_import and mb / qc_import["seconds"]
        row("import without anonymisation, indexed", f"{fmt(plain_speed, ' MB/s')} ({plain['seconds']:.1f} s), peak {plain['peak_mb']} MB", "–", None,
            qc_import and f"qc (copied verbatim, no index): {fmt(qc_speed, ' MB/s', 2)} ({qc_import['seconds']:.1f} s)", ratio(plain_speed, qc_speed, True))
    wave = one(s, "search", case="two words + wave")
    grep_wave, cold = one(s, "grep_wave"), one(s, "search_cold")
    row(f"search, 2 terms + wave, p95 in process ({wave['hits']:,} hits)", fmt(wave["p95_ms"], " ms"), "< 20 ms", wave["p95_ms"] < 20,
        f"grep -r (lines, no stemming or ranking), whole process: {fmt(grep_wave['p95_ms'], ' ms')}", ratio(wave["p95_ms"], grep_wave["p95_ms"]))
    row("search, cold start (whole process), p95", fmt(cold["p95_ms"], " ms"), "< 300 ms", cold["p95_ms"] < 300,
        f"grep -r: {fmt(grep_wave['p95_ms'], ' ms')}", ratio(cold["p95_ms"], grep_wave["p95_ms"]))
    rg_wave = one(s, "rg_wave")
    if rg_wave:
        row("search, cold start (whole process), p95, beside ripgrep", fmt(cold["p95_ms"], " ms"), "< 15 ms", cold["p95_ms"] < 15,
            f"rg (lines, no stemming or ranking), whole process: {fmt(rg_wave['p95_ms'], ' ms')}", ratio(cold["p95_ms"], rg_wave["p95_ms"]))
    for case in ["one word", "two words", "phrase", "prefix"]:
        r = one(s, "search", case=case)
        if r:
            row(f"search, {case} `{r['query']}` ({r['hits']:,} hits), p95", fmt(r["p95_ms"], " ms"), "–", None)
    quick, full = one(s, "check_quick"), one(s, "check_full")
    if quick and full:
        row("check (quick: header, schema, newest rows, index), whole process, p95", fmt(quick["p95_ms"], " ms"), "< 300 ms", quick["p95_ms"] < 300,
            f"check --full (every page and row): {fmt(full['p95_ms'], ' ms')}", ratio(quick["p95_ms"], full["p95_ms"]))
    auto, auto_text = one(s, "auto"), one(s, "auto_summary")
    added = re.search(r"(\d+) coding\(s\) added from (\d+) hit", auto_text["text"]) if auto_text else None
    row(f"auto-coding the whole corpus, one command ({added.group(1) if added else '?'} turns)", fmt(auto["seconds"], " s", 2), "–", None)
    qc_code, ours_docs = one(s, "qc_code"), one(s, "narrata_code_docs")
    if qc_code and ours_docs:
        n = one(s, "code_docs_summary")["files"]
        row(f"coding by rule, one command per document, {n} documents", f"{fmt(ours_docs['seconds'] / n * 1000, ' ms', 0)} per document", "–", None,
            f"qc (editor hook): {fmt(qc_code['seconds'] / n, ' s')} per document", ratio(ours_docs["seconds"], qc_code["seconds"]))
    qc_counts, our_counts = one(s, "qc_counts"), one(s, "narrata_counts")
    if qc_counts and our_counts:
        row("code counts (`codebook show`, whole process)", f"< {max(our_counts['seconds'], 0.01) * 1000:.0f} ms", "–", None,
            f"qc codes stats: {fmt(qc_counts['seconds'], ' s', 2)}", ratio(max(our_counts["seconds"], 0.01), qc_counts["seconds"]))
    coding = one(s, "coding")
    row(f"{coding['codings']:,} codings by script, one action", fmt(coding["seconds"], " s", 2), "–", None)
    ch = one(s, "changes")
    row(f"change table, whole corpus ({ch['codings']:,} codings, {ch['rows']:,} rows), median of {ch['runs']}",
        f"{fmt(ch['median_ms'], ' ms', 0)} ({ch['min_ms']:.0f}–{ch['max_ms']:.0f})", "< 200 ms", ch["median_ms"] < 200)
    ex, ex_sum = one(s, "export"), one(s, "export_summary")
    n_ex = ex_sum["summary"]["excerpts"]
    row(f"Word export, {n_ex:,} excerpts ({ex_sum['file_bytes'] / 1e6:.1f} MB .docx)", f"{fmt(ex['seconds'], ' s', 2)}, peak {ex['peak_mb']} MB",
        "< 5 s for 20,000", ex["seconds"] < 5 * max(1, n_ex / 20000))
    ex_all, ex_all_sum = one(s, "export_all"), one(s, "export_all_summary")
    if ex_all:
        n_all = ex_all_sum["summary"]["excerpts"]
        row(f"Word export of every coding, {n_all:,} excerpts ({ex_all_sum['file_bytes'] / 1e6:.1f} MB .docx)",
            f"{fmt(ex_all['seconds'], ' s', 2)}, peak {ex_all['peak_mb']} MB", "peak ≤ 300 MB", ex_all["peak_mb"] <= 300)
    ex_ch, ex_ch_sum = one(s, "export_changes"), one(s, "export_changes_summary")
    if ex_ch:
        row(f"Word change report of everyone ({ex_ch_sum['file_bytes'] / 1e6:.1f} MB .docx)",
            f"{fmt(ex_ch['seconds'], ' s', 2)}, peak {ex_ch['peak_mb']} MB", "peak ≤ 300 MB", ex_ch["peak_mb"] <= 300)
    opened = one(s, "export_opened")
    if opened:
        row("the same .docx opened by python-docx", fmt(opened["p50_ms"] / 1000, " s", 2), "–", None)
    keys = one(s, "tui_keys")
    if keys:
        worst = max(keys["keys"].items(), key=lambda kv: kv[1]["p95_ms"])
        row(f"TUI keystroke to frame, slowest key's p95 ({keys['words']:,} words, {keys['codings']:,} codings)",
            f"{fmt(worst[1]['p95_ms'], ' ms', 2)} ({worst[0]})", "< 16 ms", worst[1]["p95_ms"] < 16)
    tg_imp, tg_hl = one(s, "taguette_import"), one(s, "taguette_highlights")
    if tg_imp and plain:
        tg_speed = tg_imp["bytes"] / 1e6 / tg_imp["seconds"]
        row(f"import without anonymisation, indexed (beside Taguette: its first {tg_imp['files']} files)", fmt(plain_speed, " MB/s"), "–", None,
            f"Taguette (HTML upload through its API, no index): {fmt(tg_speed, ' MB/s', 2)}", ratio(plain_speed, tg_speed, True))
    if tg_hl and keys and tg_hl["p95_ms"]:
        enter = next((v for k, v in keys["keys"].items() if k.startswith("Enter")), None)
        if enter:
            row("coding a passage and saving it, p95 (TUI `Enter`, in process)", fmt(enter["p95_ms"], " ms", 2), "< 16 ms", enter["p95_ms"] < 16,
                f"Taguette, one highlight through its API ({tg_hl['highlights']} in {tg_hl['documents']} documents): p95 {fmt(tg_hl['p95_ms'], ' ms')}, "
                f"p50 {fmt(tg_hl['p50_short_ms'], ' ms')} in the shortest fifth, {fmt(tg_hl['p50_long_ms'], ' ms')} in the longest",
                ratio(enter["p95_ms"], tg_hl["p95_ms"]))
    start, peak = one(s, "tui_start"), one(s, "tui_peak")
    row("TUI start to first frame", fmt(start["first_frame_ms"], " ms"), "< 300 ms", start["first_frame_ms"] < 300)
    row("TUI start to first frame with the documents", fmt(start["first_data_frame_ms"], " ms", 0), "–", None)
    row("TUI search and waves of everyone (worker, drawn)", f"{start['search_ms']:.0f} ms, {start['waves_ms']:.0f} ms", "–", None)
    row("TUI peak memory (that session)", fmt(peak["peak_mb"], " MB", 0), "< 200 MB", peak["peak_mb"] < 200)

    print(f"Corpus: {corpus['files']} transcripts ({corpus['participants']} participants × 3 waves), "
          f"{corpus['words']:,} words, {mb:.1f} MB; {summary.get('imported', '?')} imported")
    print()
    print("| what | narrata | budget | met | alternative, same files | narrata faster by |")
    print("|---|---:|---:|:-:|---|---:|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")

    if len(sizes) > 1:
        print()
        print("| participants | words | MB | import | MB/s | import peak | search p95 | cold start p95 | codings | change table | Word export | TUI data frame | TUI peak |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for _, t in sizes:
            c, i = one(t, "corpus"), one(t, "import")
            w, cold, ch, ex, exs = one(t, "search", case="two words + wave"), one(t, "search_cold"), one(t, "changes"), one(t, "export"), one(t, "export_summary")
            st, pk = one(t, "tui_start"), one(t, "tui_peak")
            mb = c["bytes"] / 1e6
            print(f"| {c['participants']} | {c['words']:,} | {mb:.1f} | {i['seconds']:.1f} s | {mb / i['seconds']:.1f} | {i['peak_mb']} MB | "
                  f"{w['p95_ms']:.1f} ms | {cold['p95_ms']:.0f} ms | {ch['codings']:,} | {ch['median_ms']:.0f} ms | "
                  f"{exs['summary']['excerpts']:,} in {ex['seconds']:.2f} s | {st['first_data_frame_ms']:.0f} ms | {pk['peak_mb']} MB |")


main(sys.argv[1:])
