"""Scores DEDUCE (the open Dutch de-identifier, PyPI `deduce`) on a folder made like narrata's
samples/ (`transcripts/` and `gold/`), with the same measures as narrata's anonymise_score:
covered recall per gold category (no non-space character of the identifier left readable),
recall (touched), precision (annotations that touch a gold identifier). Prints one JSON line.
Run by benches/anonymise.sh inside a virtual environment; not part of the test suite."""
import contextlib, json, os, resource, sys, time

folder = sys.argv[1]
t0 = time.time()
# DEDUCE logs its start-up to stdout; keep stdout for the one JSON line.
with contextlib.redirect_stdout(sys.stderr):
    from deduce import Deduce

    deduce = Deduce()
init = time.time() - t0
totals, seconds, size = {}, 0.0, 0


def row(cat):
    return totals.setdefault(cat, {"gold": 0, "touched": 0, "covered": 0, "detections": 0, "correct": 0})


for name in sorted(os.listdir(os.path.join(folder, "transcripts"))):
    with open(os.path.join(folder, "transcripts", name), encoding="utf-8") as f:
        raw = f.read().replace("\r\n", "\n")
    body = raw
    if raw.startswith("---\n"):
        end = raw.find("\n---\n", 4)
        body = raw[end + 5:]
    size += len(raw.encode("utf-8"))
    with open(os.path.join(folder, "gold", name + ".json"), encoding="utf-8") as f:
        gold = json.load(f)["spans"]
    t = time.time()
    doc = deduce.deidentify(body)
    seconds += time.time() - t
    spans = [(a.start_char, a.end_char) for a in doc.annotations]
    for g in gold:
        r = row(g["category"])
        r["gold"] += 1
        if any(s < g["end"] and e > g["start"] for s, e in spans):
            r["touched"] += 1
        if all(body[i].isspace() or any(s <= i < e for s, e in spans) for i in range(g["start"], g["end"])):
            r["covered"] += 1
    r = row("ALL_DETECTIONS")
    for s, e in spans:
        r["detections"] += 1
        if any(s < g["end"] and e > g["start"] for g in gold):
            r["correct"] += 1

all_row = {"gold": 0, "touched": 0, "covered": 0}
for cat, r in totals.items():
    for k in all_row:
        all_row[k] += r[k]
det = totals.pop("ALL_DETECTIONS", {"detections": 0, "correct": 0})
ratio = lambda a, b: a / b if b else 1.0
categories = {c: {"gold": r["gold"], "covered_recall": ratio(r["covered"], r["gold"]), "recall": ratio(r["touched"], r["gold"])} for c, r in totals.items()}
categories["ALL"] = {"gold": all_row["gold"], "covered_recall": ratio(all_row["covered"], all_row["gold"]),
                     "recall": ratio(all_row["touched"], all_row["gold"]), "precision": ratio(det["correct"], det["detections"])}
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"tool": "deduce", "bytes": size, "seconds": seconds, "init_seconds": init, "peak_mb": peak_mb, "categories": categories}))
