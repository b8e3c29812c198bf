#!/usr/bin/env bash
# Runs MIT krb5kdc and Keybridge's KDC on loopback with the same realm, user, enctype
# (aes256-cts-hmac-sha1-96) and service, drives both with bench/kdc_load under the same
# load in one run, and prints requests/s, p50/p99 and the ratio ours/MIT.
#
#   bench/kdc_compare.sh [build-dir] [seconds] [threads] [rounds]
# CPU_RATE=n in the environment adds, per mode, the CPU time each KDC spends per request
# at a fixed n requests/s (its processes' utime + stime): unlike requests/s at full load it
# hardly depends on what else the machine runs. The load generator builds its requests
# before each timed run and prints its own CPU per request (loadgen_cpu_us): with that L,
# ours K and MIT's M, full-load requests/s on shared cores compare as (L+M)/(L+K).
# With rounds > 1 each mode alternates MIT and Keybridge runs `rounds` times and also
# prints the median of the per-round ratios: on a machine shared with other work the load
# drifts between two runs, and alternating short runs keeps that drift out of the ratio.
# Both KDCs get every core: krb5kdc with one worker process per core (-w), ours with one
# thread per core. Everything lives in a temporary directory removed at the end.
set -euo pipefail
BUILD=${1:-build}
SECONDS_PER_RUN=${2:-5}
THREADS=${3:-8}
ROUNDS=${4:-1}
CORES=$(nproc)
KB="$BUILD/apps/keybridge/keybridge"
LOAD="$BUILD/bench/kb_kdc_load"
for f in "$KB" "$LOAD"; do [ -x "$f" ] || { echo "missing $f (make bench builds it)"; exit 1; }; done
for p in krb5kdc kdb5_util kadmin.local; do command -v $p >/dev/null || PATH=$PATH:/usr/sbin; done
command -v krb5kdc >/dev/null || { echo "MIT krb5kdc missing (scripts/install-deps.sh installs krb5-kdc)"; exit 1; }

WORK=$(mktemp -d /tmp/kdc-compare.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PY
}
MIT_PORT=$(free_port); KB_PORT=$(free_port)
REALM=CONTOSO.TEST
echo 'Bench-Pw-1' > "$WORK/pw"; chmod 600 "$WORK/pw"

# MIT krb5kdc: its own config, database and stash in $WORK.
mkdir -p "$WORK/mit"
cat > "$WORK/mit/kdc.conf" <<CONF
[kdcdefaults]
 kdc_ports = $MIT_PORT
 kdc_tcp_listen = $MIT_PORT
[realms]
 $REALM = {
  database_name = $WORK/mit/principal
  key_stash_file = $WORK/mit/stash
  supported_enctypes = aes256-cts-hmac-sha1-96:normal
  max_life = 10h
  max_renewable_life = 7d
 }
[logging]
 kdc = FILE:$WORK/mit/kdc.log
CONF
cat > "$WORK/mit/krb5.conf" <<CONF
[libdefaults]
 default_realm = $REALM
[realms]
 $REALM = {
  kdc = 127.0.0.1:$MIT_PORT
 }
CONF
export KRB5_CONFIG="$WORK/mit/krb5.conf" KRB5_KDC_PROFILE="$WORK/mit/kdc.conf"
kdb5_util create -s -r $REALM -P 'master-Pw-1' >/dev/null
kadmin.local -q "addprinc +requires_preauth -pw Bench-Pw-1 alice" >/dev/null
kadmin.local -q "addprinc -randkey HTTP/web.contoso.test" >/dev/null
krb5kdc -n -w "$CORES" > "$WORK/mit/stdout" 2>&1 &
PIDS+=($!); MIT_PID=$!
unset KRB5_CONFIG KRB5_KDC_PROFILE

# Keybridge: the same realm, user and service.
"$KB" dc --data-dir "$WORK/kb" init --domain contoso.test --password-file "$WORK/pw" >/dev/null
"$KB" dc --data-dir "$WORK/kb" user add alice --password-file "$WORK/pw" >/dev/null
"$KB" dc --data-dir "$WORK/kb" user add websvc --random-password >/dev/null
"$KB" dc --data-dir "$WORK/kb" spn add websvc HTTP/web.contoso.test >/dev/null
"$KB" dc --data-dir "$WORK/kb" serve --listen 127.0.0.1:$KB_PORT 2> "$WORK/kb.log" > /dev/null &
PIDS+=($!); KB_PID=$!
sleep 1

run() {  # kdc-port mode [rate]
  "$LOAD" --kdc 127.0.0.1:$1 --realm $REALM --user alice --password-file "$WORK/pw" \
    --mode "$2" --threads "$THREADS" --seconds "$SECONDS_PER_RUN" ${3:+--rate $3}
}
rps() { sed -E 's/.* rps=([0-9]+).*/\1/'; }
echo "== peak throughput, $THREADS client threads, $SECONDS_PER_RUN s each, $CORES cores"
ratio() { awk -v o="$1" -v m="$2" 'BEGIN { printf "%.2f", (m > 0 ? o / m : 0) }'; }
for mode in as tgs; do
  RATIOS=(); BEST=0
  for ((r = 1; r <= ROUNDS; r++)); do
    MIT=$(run $MIT_PORT $mode); echo "MIT krb5kdc  $MIT"
    OURS=$(run $KB_PORT $mode); echo "Keybridge    $OURS"
    M=$(echo "$MIT" | rps); O=$(echo "$OURS" | rps)
    RATIOS+=("$(ratio "$O" "$M")")
    echo "ratio $mode ours/MIT = ${RATIOS[-1]}"
    [ "$O" -gt "$BEST" ] && BEST=$O
  done
  if [ "$ROUNDS" -gt 1 ]; then
    echo "ratio $mode ours/MIT over $ROUNDS rounds: ${RATIOS[*]}; median $(printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')"
  fi
  HALF=$((BEST / 2))
  echo "Keybridge at half of its peak ($HALF/s): $(run $KB_PORT $mode $HALF)"
done
# CPU per request at a fixed rate: a KDC's process and its children (krb5kdc's workers).
ticks() {
  local t=0 p
  for p in $1 $(pgrep -P "$1"); do t=$((t + $(awk '{ print $14 + $15 }' /proc/$p/stat))); done
  echo $t
}
if [ -n "${CPU_RATE:-}" ]; then
  HZ=$(getconf CLK_TCK)
  for mode in as tgs; do
    for who in MIT Keybridge; do
      if [ $who = MIT ]; then port=$MIT_PORT; pid=$MIT_PID; else port=$KB_PORT; pid=$KB_PID; fi
      t0=$(ticks $pid); out=$(run $port $mode "$CPU_RATE"); t1=$(ticks $pid)
      n=$(echo "$out" | sed -E 's/.* requests=([0-9]+).*/\1/')
      l=$(echo "$out" | sed -E 's/.* loadgen_cpu_us=([0-9.]+).*/\1/')
      echo "cpu $mode $who at $CPU_RATE/s: $(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$HZ" \
        'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }') us/request over $n requests (load generator $l us/request)"
    done
  done
fi
