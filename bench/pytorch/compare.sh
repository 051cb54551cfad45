#!/bin/sh
# Runs the same DPO step in GoMLX (trainer.BenchmarkDPOStep) and PyTorch
# (bench/pytorch/dpo_step.py) side by side for each CPU preset and prints tokens/s and the
# ratio. Needs Debian's python3-torch and libopenblas0-pthread:
#   apt-get install -y python3-torch libopenblas0-pthread
# Usage: bench/pytorch/compare.sh [steps]
# PyTorch runs with its default threads (Debian's build picks one OpenMP thread here) and
# with one per core (nproc); the faster of the two is compared.
set -eu
steps=${1:-5}
threads=$(nproc)
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
test_bin=$(mktemp)
trap 'rm -f "$test_bin"' EXIT
go test -c -o "$test_bin" ./trainer

for preset in cpu-1m cpu-5m; do
	go_out=$("$test_bin" -test.run '^$' -test.bench "DPOStep/$preset/" -test.benchtime "${steps}x")
	field() { printf '%s\n' "$go_out" | awk -v unit="$1" '{ for (i = 1; i < NF; i++) if ($(i+1) == unit) print $i }'; }
	go_tps=$(field tokens/s)
	go_mem=$(field peak-heap-MiB)
	py_default=$(/usr/bin/python3 bench/pytorch/dpo_step.py --preset "$preset" --steps "$steps")
	py_cores=$(/usr/bin/python3 bench/pytorch/dpo_step.py --preset "$preset" --steps "$steps" \
		--threads "$threads")
	py_json=$(printf '%s\n%s\n' "$py_default" "$py_cores" | /usr/bin/python3 -c '
import json, sys
runs = [json.loads(line) for line in sys.stdin if line.strip()]
print(json.dumps(max(runs, key=lambda r: r["tokens_per_second"])))')
	py_tps=$(printf '%s' "$py_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_second"])')
	py_mem=$(printf '%s' "$py_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_mib"])')
	py_threads=$(printf '%s' "$py_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["threads"])')
	printf '%s: gomlx %.0f tokens/s (peak heap %s MiB), pytorch %.0f tokens/s with %s threads (peak RSS %.0f MiB), ratio %.3f\n' \
		"$preset" "$go_tps" "$go_mem" "$py_tps" "$py_threads" "$py_mem" \
		"$(echo "$go_tps / $py_tps" | bc -l)"
done
