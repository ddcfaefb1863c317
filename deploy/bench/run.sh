#!/usr/bin/env bash
# Benchmarks of the foundation, on loopback, all figures from one run (see docs/benchmarks.md).
# Needs: a release build of heraut, wrk, python3. Usage: deploy/bench/run.sh [sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/../.."
backend="${1:-sqlite}"
bin="${BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/heraut}"
port=18181
dir="$(mktemp -d)"
export HERAUT_DATA_DIR="$dir" HERAUT_LISTEN="127.0.0.1:$port" HERAUT_CONFIG=/dev/null HERAUT_LOG=warn
# The benchmark signs in many times from one address: keep throttling out of the way.
export HERAUT_AUTH__THROTTLE_IP_AFTER_FAILURES=100000
if [ "$backend" = postgres ]; then
  db="heraut_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  export HERAUT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
base="http://127.0.0.1:$port"

start=$(date +%s%N)
"$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"; [ -n "${db:-}" ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"' EXIT
until curl -sf "$base/readyz" >/dev/null; do kill -0 $pid 2>/dev/null || { cat "$dir/server.log"; exit 1; }; sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

pw="benchmark passphrase for the admin"
HERAUT_ADMIN_PASSWORD="$pw" "$bin" admin create-admin --email bench@example.gov >/dev/null 2>&1
token=$(python3 deploy/bench/signin.py "$base" bench@example.gov "$pw")

lat() { # route -> "req/s p50 p99"
  wrk -t2 -c32 -d"${DURATION:-10s}" --latency -H "Authorization: Bearer $token" "$base$1" \
    | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps, p50, p99}'
}
echo "backend=$backend ready_ms=$ready_ms idle_rss_kib=$rss_kib"
echo "route req/s p50 p99"
echo "/api/v1/ping $(lat /api/v1/ping)"
echo "/api/v1/me $(lat /api/v1/me)"
echo "/api/v1/tenants $(lat /api/v1/tenants)"
# The same routes while 20 sign-ins (argon2id each) run in parallel all the time.
cat >"$dir/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"email":"bench@example.gov","password":"$pw"}'
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t1 -c20 -d"${LOAD_DURATION:-14s}" -s "$dir/login.lua" "$base/api/v1/auth/login" >"$dir/login.txt" &
sleep 1
echo "/api/v1/me+20-signins $(lat /api/v1/me)"
echo "/api/v1/tenants+20-signins $(lat /api/v1/tenants)"
wait %2 2>/dev/null || true
echo "signins/s $(awk '/Requests\/sec/ {print $2}' "$dir/login.txt")"
