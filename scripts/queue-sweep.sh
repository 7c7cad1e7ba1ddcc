#!/usr/bin/env bash
# Measures a sweep run through BullMQ against the same sweep run locally (docs/queue.md):
#   1. local:  npm run exp -- tail ... --jobs 2
#   2. queue:  the same with --queue, evaluated by 2 local worker processes (--concurrency 1 each)
#   3. kill:   the same again, one worker SIGKILLed while it holds a job; the other finishes
# and checks points.csv / summary.csv are byte-identical, and that the kill run delivered every
# task exactly once (the runner's "N evaluated" counts onRecord calls; points/ and points.csv
# count distinct tasks).
#
# Usage: scripts/queue-sweep.sh [port]   (needs redis-server; starts and stops its own)
# Env: OUT (results root, default a temp dir), FLOWSIM_QUEUE_LOCK_MS / FLOWSIM_QUEUE_STALLED_MS
# (default here 5000 / 1000), SEEDS (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-6395}
URL="redis://127.0.0.1:$PORT"
OUT=${OUT:-$(mktemp -d /tmp/flowsim-queue-sweep-XXXXXX)}
SEEDS=${SEEDS:-1}
export FLOWSIM_QUEUE_LOCK_MS=${FLOWSIM_QUEUE_LOCK_MS:-5000}
export FLOWSIM_QUEUE_STALLED_MS=${FLOWSIM_QUEUE_STALLED_MS:-1000}
# tail, quick, 12 bandwidths: 216 points
SWEEP=(tail --quick --bandwidth 10,15,20,25,30,35,40,45,50,60,70,80 --seeds "$SEEDS" --progress none --out "$OUT")
LOGS="$OUT/logs"
mkdir -p "$LOGS"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 2; }
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no >"$LOGS/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
exp() { node --import tsx experiments/cli.ts "${SWEEP[@]}" "$@"; }
start_worker() { # name -> pid in WPID
  node --import tsx experiments/queue-worker.ts --queue "$URL" --concurrency 1 >"$LOGS/$1.log" 2>&1 &
  WPID=$!
  PIDS+=($WPID)
  for _ in $(seq 300); do grep -q 'serving queue' "$LOGS/$1.log" && return 0; sleep 0.1; done
  echo "worker $1 did not start:" >&2; cat "$LOGS/$1.log" >&2; exit 1
}
same() { # run dir a, run dir b
  cmp "$1/points.csv" "$2/points.csv" && cmp "$1/summary.csv" "$2/summary.csv" && echo identical
}

echo "# host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
t0=$(now); exp --run-id local --jobs 2 >"$LOGS/local.log"; t1=$(now)
echo "local --jobs 2:           $(secs "$t0" "$t1") s  ($(grep -o '[0-9]* runs (.*evaluated' "$LOGS/local.log" | tail -1))"

start_worker w1; W1=$WPID
start_worker w2; W2=$WPID
t0=$(now); exp --run-id queue --queue "$URL" >"$LOGS/queue.log"; t1=$(now)
echo "queue, 2 workers:         $(secs "$t0" "$t1") s  ($(grep -o '[0-9]* runs (.*evaluated' "$LOGS/queue.log" | tail -1)); points.csv, summary.csv vs local: $(same "$OUT/tail/local" "$OUT/tail/queue")"
echo "  tasks per worker: w1 $(grep -c 'done  tail/queue' "$LOGS/w1.log"), w2 $(grep -c 'done  tail/queue' "$LOGS/w2.log")"

# kill run: SIGKILL w1 once it has done 20 points of the run and holds the next one
t0=$(now)
exp --run-id kill --queue "$URL" >"$LOGS/kill.log" 2>&1 &
C=$!
PIDS+=($C)
while :; do
  d=$(grep -c 'done  tail/kill' "$LOGS/w1.log" || true)
  s=$(grep -c 'start tail/kill' "$LOGS/w1.log" || true)
  if [ "$d" -ge 20 ] && [ "$s" -gt "$d" ]; then break; fi
  kill -0 "$C" 2>/dev/null || { echo "the kill run ended before w1 was killed" >&2; exit 1; }
  sleep 0.02
done
held=$(grep 'start tail/kill' "$LOGS/w1.log" | tail -1 | sed -E 's/.*point ([0-9]+) .* seed ([0-9]+).*/point \1 .* seed \2/')
kill -9 "$W1"; tk=$(now); wait "$W1" 2>/dev/null || true
rc=0; wait "$C" || rc=$?
t1=$(now)
[ "$rc" = 0 ] || { echo "the kill run failed (exit $rc):" >&2; tail -5 "$LOGS/kill.log" >&2; exit 1; }
retry=$(grep -E "start tail/kill $held \(retry" "$LOGS/w2.log" | head -1 | cut -c2-9)
n_files=$(ls "$OUT/tail/kill/points" | wc -l)
n_rows=$(tail -n +2 "$OUT/tail/kill/points.csv" | cut -d, -f1,2 | sort -u | wc -l)
evaluated=$(grep -o '[0-9]* runs ([0-9]* evaluated' "$LOGS/kill.log" | tail -1)
echo "queue, 1 of 2 killed:     $(secs "$t0" "$t1") s  ($evaluated); w1 SIGKILLed at $(date -d @"${tk%.*}" +%T) holding ${held/ .\* / }; retried by w2 at ${retry:-?}"
echo "  distinct tasks: $n_files files in points/, $n_rows (point, seed) rows in points.csv; vs local: $(same "$OUT/tail/local" "$OUT/tail/kill")"
echo "  tasks per worker: w1 $(grep -c 'done  tail/kill' "$LOGS/w1.log") (+1 it was running when killed, retried by w2), w2 $(grep -c 'done  tail/kill' "$LOGS/w2.log")"
kill -TERM "$W2"
wait "$W2" 2>/dev/null || true
echo "# Redis keys left: $(redis-cli -p "$PORT" --no-raw keys '*' 2>/dev/null | tr '\n' ' ' || echo '(redis-cli missing)')"
