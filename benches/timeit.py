"""Times whole processes: `timeit.py RUNS CMD...` runs CMD (through the shell when it is one
string with spaces) RUNS times, output discarded, and prints one JSON line with the runs and
the 50th/95th percentile and maximum wall-clock milliseconds. Used by benches/run.sh."""
import json, subprocess, sys, time

runs = int(sys.argv[1])
cmd = sys.argv[2:]
shell = len(cmd) == 1 and " " in cmd[0]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd[0] if shell else cmd, shell=shell, stdout=subprocess.DEVNULL, check=False)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
pick = lambda q: times[round((len(times) - 1) * q)]
print(json.dumps({"runs": runs, "p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": times[-1]}))
