#!/usr/bin/env bash
# What one request costs `keybridge dc serve` itself, in figures that do not move with the
# machine's load: user-space instructions per request (the server under callgrind, counters
# zeroed after a warm-up and dumped after the timed load) and system calls per request
# (strace -c over a second timed load). The setup is bench/kdc_compare.sh's (realm
# CONTOSO.TEST, alice with a password, websvc with SPN HTTP/web.contoso.test, aes256).
#
#   bench/kdc_server_cost.sh [build-dir] [mode as|tgs] [rate] [seconds]
# Needs valgrind and strace. Everything lives in a temporary directory removed at the end.
set -euo pipefail
BUILD=${1:-build}
MODE=${2:-tgs}
RATE=${3:-200}
SECS=${4:-5}
KB="$BUILD/apps/keybridge/keybridge"
LOAD="$BUILD/bench/kb_kdc_load"
for f in "$KB" "$LOAD"; do [ -x "$f" ] || { echo "missing $f (make bench builds it)"; exit 1; }; done
for t in valgrind callgrind_control strace; do command -v $t >/dev/null || { echo "missing $t"; exit 1; }; done

WORK=$(mktemp -d /tmp/kdc-server-cost.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
echo 'Bench-Pw-1' > "$WORK/pw"; chmod 600 "$WORK/pw"
"$KB" dc --data-dir "$WORK/kb" init --domain contoso.test --password-file "$WORK/pw" >/dev/null
"$KB" dc --data-dir "$WORK/kb" user add alice --password-file "$WORK/pw" >/dev/null
"$KB" dc --data-dir "$WORK/kb" user add websvc --random-password >/dev/null
"$KB" dc --data-dir "$WORK/kb" spn add websvc HTTP/web.contoso.test >/dev/null
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_listening() {
  for _ in $(seq 1 150); do grep -q "listening on" "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "server did not start: $(cat "$1")"; exit 1
}
load() {  # port seconds
  "$LOAD" --kdc 127.0.0.1:$1 --realm CONTOSO.TEST --user alice --password-file "$WORK/pw" \
    --mode "$MODE" --threads 4 --seconds "$2" --rate "$RATE"
}
requests() { sed -E 's/.* requests=([0-9]+).*/\1/'; }

# 1. User-space instructions per request.
P=$(port)
valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.%p" \
  "$KB" dc --data-dir "$WORK/kb" serve --listen 127.0.0.1:$P 2> "$WORK/cg.log" > /dev/null &
PID=$!
wait_listening "$WORK/cg.log"
load $P 2 > /dev/null
callgrind_control -z $PID > /dev/null 2>&1
OUT=$(load $P "$SECS")
callgrind_control -d $PID > /dev/null 2>&1
N=$(echo "$OUT" | requests)
IR=$(grep -hE "^(summary|totals):" "$WORK"/cg.$PID.* | head -1 | awk '{ print $2 }')
kill $PID; wait $PID 2>/dev/null || true; PID=""
echo "$MODE at $RATE/s: $(awk -v i="$IR" -v n="$N" 'BEGIN { printf "%.0f", i / n }') user-space instructions per request in the server ($IR over $N requests)"

# 2. System calls per request.
P=$(port)
"$KB" dc --data-dir "$WORK/kb" serve --listen 127.0.0.1:$P 2> "$WORK/st.log" > /dev/null &
PID=$!
wait_listening "$WORK/st.log"
load $P 1 > /dev/null
strace -f -c -o "$WORK/strace" -p $PID 2>/dev/null & SP=$!
sleep 0.5
OUT=$(load $P "$SECS")
kill -INT $SP; wait $SP 2>/dev/null || true
N=$(echo "$OUT" | requests)
echo "$MODE at $RATE/s: system calls per request in the server over $N requests:"
awk -v n="$N" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { printf "  %-16s %.2f\n", $NF, $4 / n; t += $4 }
  END { printf "  %-16s %.2f\n", "all", t / n }' "$WORK/strace" | sort -k2 -rn
