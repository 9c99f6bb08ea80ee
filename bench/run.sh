#!/usr/bin/env bash
# Benchmark: wrk against the same upstream (nginx `return 200`) directly, through nginx proxy_pass and through
# Quotagate, interleaved in rounds so machine noise hits every leg alike. Prints requests/s, p50 and p99 per
# leg (medians over rounds) and the ratios to nginx. A benchmark, not a test: run it by hand on a quiet machine.
#
#   bench/run.sh                       # defaults below
#   ROUNDS=5 DURATION=10 bench/run.sh
#   LEGS="direct nginx quotagate-auth quotagate quotagate-redis" bench/run.sh
#
# Legs: direct (wrk -> upstream), nginx (proxy_pass, keep-alive), quotagate-auth (Quotagate on the memory store,
# a route that is authenticated but neither charged nor rate limited: the proxy's own cost), quotagate (memory
# store, a charged, rate-limited route: full admission in process), quotagate-redis (the same on Redis: one
# Lua script per request; Redis' commandstats are printed to show one round trip per request). Every process,
# nginx and each Quotagate leg alike, is started once, warmed up once and stays up for all rounds.
#
# Needs: nginx, wrk, java, redis-server (for the quotagate-redis leg), and `mvn -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}          # seconds per wrk run
WARMUP=${WARMUP:-30}              # seconds of full-speed warm-up per leg, once, before the rounds (JIT)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}             # wrk threads
WORKERS=${WORKERS:-1}             # nginx proxy workers = Quotagate event loops
LEGS=${LEGS:-"direct nginx quotagate-auth quotagate quotagate-redis"}
UPSTREAM_PORT=${UPSTREAM_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18082}
REDIS_PORT=${REDIS_PORT:-18085}
QG_BASE_PORT=${QG_BASE_PORT:-18090}  # each Quotagate leg listens on two ports from here (proxy, admin)
JAR=gateway/target/quotagate-gateway.jar
CLI=admin-cli/target/quotagate-admin.jar
PATH_URI=/v1/portrait/generate

work=$(mktemp -d /tmp/quotagate-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx-up.pid" ] && kill "$(cat "$work/nginx-up.pid")" 2>/dev/null || true
  [ -f "$work/nginx-proxy.pid" ] && kill "$(cat "$work/nginx-proxy.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

for tool in nginx wrk java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install -y nginx wrk)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "bench: $JAR is missing; run: mvn -q package -DskipTests" >&2; exit 2; }

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2; exit 1
}

# --- the upstream: nginx answering 200 with a small body, one worker -------------------------------
cat > "$work/nginx-up.conf" <<NGINX
worker_processes 1;
pid $work/nginx-up.pid;
error_log $work/nginx-up.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT backlog=4096;
    location / { return 200 '{"task_id":"t-1","status":"queued"}'; }
  }
}
NGINX
nginx -c "$work/nginx-up.conf" -p "$work"

# --- nginx proxy_pass, upstream keep-alive on -------------------------------------------------------
cat > "$work/nginx-proxy.conf" <<NGINX
worker_processes $WORKERS;
pid $work/nginx-proxy.pid;
error_log $work/nginx-proxy.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream api { server 127.0.0.1:$UPSTREAM_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -c "$work/nginx-proxy.conf" -p "$work"
wait_port "$UPSTREAM_PORT"; wait_port "$NGINX_PORT"

# --- Quotagate -----------------------------------------------------------------------------------------
# Each Quotagate leg is its own process, started once and kept up for the whole run, as nginx is: a gateway is a
# long-running process, and a JVM restarted before every measurement would be measured half-compiled.
# quotagate-auth and quotagate both use the memory store but not one process, so one leg's garbage (the charged
# leg keeps a settlement record per request) does not land in the other's measurement.
declare -A QG_PORTS QG_KEYS
start_quotagate() { # $1 = leg, $2 = store type (memory|redis), $3 = proxy port (admin = +1)
  local leg=$1 store=$2 port=$3 admin=$(($3 + 1)) redis_block=""
  if [ "$store" = redis ]; then
    redis_block="  redis: { address: \"redis://127.0.0.1:$REDIS_PORT\" }"
  fi
  cat > "$work/$leg.yaml" <<YAML
server: { port: $port, bind: 127.0.0.1, io_threads: $WORKERS }
admin: { port: $admin, token: "bench-token" }
# A 10 s response timeout suits an upstream that answers at once; it also bounds how long the store keeps each
# charged request's record for settlement (response timeout + 60 s).
upstream: { url: "http://127.0.0.1:$UPSTREAM_PORT", response_timeout: 10s }
store:
  type: $store
$redis_block
groups:
  portrait:
    count_mode_qps: 100000
    routes:
      - { match: "POST /v1/portrait/generate", cost: 1 }
      - { match: "POST /v1/portrait/free", cost: 0, qps: false }
YAML
  java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" --config "$work/$leg.yaml" >"$work/$leg.log" 2>&1 &
  pids+=($!)
  wait_port "$port"; wait_port "$admin"
  # One tenant with a pack large enough for the whole run.
  local key
  key=$(java -jar "$CLI" --url "http://127.0.0.1:$admin" --token bench-token --json \
    tenant create bench | sed -E 's/.*"api_key":"([^"]+)".*/\1/')
  [[ $key == qg_* ]] || { echo "bench: could not create the bench tenant of $leg" >&2; exit 1; }
  java -jar "$CLI" --url "http://127.0.0.1:$admin" --token bench-token \
    pack grant bench portrait --calls 1000000000 --order "bench-$leg" >/dev/null
  QG_PORTS[$leg]=$port
  QG_KEYS[$leg]=$key
}

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"prompt":"a portrait"}'
wrk.headers["Content-Type"] = "application/json"
if os.getenv("QG_KEY") and os.getenv("QG_KEY") ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("QG_KEY")
end
LUA

url_of() {
  case $1 in
    direct) echo "http://127.0.0.1:$UPSTREAM_PORT$PATH_URI" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT$PATH_URI" ;;
    quotagate-auth) echo "http://127.0.0.1:${QG_PORTS[$1]}/v1/portrait/free" ;;
    quotagate*) echo "http://127.0.0.1:${QG_PORTS[$1]}$PATH_URI" ;;
  esac
}

# wrk → "rps p50_ms p99_ms non2xx"
run_wrk() { # $1 leg, $2 seconds
  local out
  out=$(QG_KEY=${QG_KEYS[$1]:-} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2"s --latency -s "$work/post.lua" "$(url_of "$1")")
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${bad:-0}"
}

to_ms() { # wrk prints 512.00us / 1.20ms / 1.01s
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print v }'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

if [[ " $LEGS " == *" quotagate-redis "* ]]; then
  command -v redis-server >/dev/null || { echo "bench: redis-server is not installed" >&2; exit 2; }
  redis-server --port "$REDIS_PORT" --save "" --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
  pids+=($!)
  wait_port "$REDIS_PORT"
fi

results="$work/results.txt"
: >"$results"
echo "bench: rounds=$ROUNDS duration=${DURATION}s connections=$CONNECTIONS wrk-threads=$THREADS workers=$WORKERS legs=[$LEGS]"
echo "bench: $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), $(nginx -v 2>&1)"

# Start every Quotagate leg, then warm every leg up once at full speed (the JIT compiles the hot path).
port=$QG_BASE_PORT
for leg in $LEGS; do
  case $leg in
    quotagate|quotagate-auth) start_quotagate "$leg" memory "$port"; port=$((port + 2)) ;;
    quotagate-redis) start_quotagate "$leg" redis "$port"; port=$((port + 2)) ;;
  esac
done
for leg in $LEGS; do run_wrk "$leg" "$WARMUP" >/dev/null; done

for round in $(seq 1 "$ROUNDS"); do
  for leg in $LEGS; do
    if [ "$leg" = quotagate-redis ]; then redis-cli -p "$REDIS_PORT" config resetstat >/dev/null; fi
    read -r rps p50 p99 bad < <(run_wrk "$leg" "$DURATION")
    echo "round $round $leg rps=$rps p50=${p50}ms p99=${p99}ms non2xx=$bad"
    echo "$leg $rps $p50 $p99 $bad $round" >>"$results"
    if [ "$leg" = quotagate-redis ]; then
      calls=$(redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | awk -F'[=,:]' '/^cmdstat_(evalsha|eval|fcall)/ {n+=$3} END {print n+0}')
      total=$(redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | awk -F'[=,:]' '/^cmdstat_/ {n+=$3} END {print n+0}')
      echo "round $round $leg redis: script calls=$calls all commands=$total"
    fi
  done
done

nginx_rps=$(awk '$1=="nginx" {print $2}' "$results" | median)

# --- latency at half of nginx's peak: every leg is offered the same request rate, half of nginx's median peak.
# wrk2 is not packaged, so the Lua script paces wrk itself: delay() (LuaJIT's ffi reads CLOCK_MONOTONIC) hands
# each finished connection the next free slot of a fixed schedule, so requests start at a constant rate whatever
# the latency, as long as enough connections are idle. Latency is measured from each request's send, as wrk does.
half="$work/half.txt"
: >"$half"
if [ -n "${nginx_rps:-}" ] && [ "${HALF_LOAD:-1}" = 1 ]; then
  half_rate=$(awk -v r="$nginx_rps" 'BEGIN { printf "%d", r / 2 }')
  half_conns=${HALF_CONNECTIONS:-64}
  cp "$work/post.lua" "$work/paced.lua"
  cat >>"$work/paced.lua" <<LUA
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } qg_timespec; int clock_gettime(int clk, qg_timespec *tp); ]]
local ts = ffi.new("qg_timespec")
local function now_ms() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end
local interval = 1000 / ($half_rate / $THREADS)   -- ms between request starts, per wrk thread
local slot = nil
function delay()
  local t = now_ms()
  if slot == nil or slot < t - 10 then slot = t end   -- behind by more than 10 ms: do not catch up in a burst
  slot = slot + interval
  local d = slot - t
  return d > 0 and math.floor(d) or 0
end
LUA
  echo "bench: half load: $half_rate req/s offered (half of nginx's median peak) over $half_conns connections"
  for round in $(seq 1 "$ROUNDS"); do
    for leg in $LEGS; do
      out=$(QG_KEY=${QG_KEYS[$leg]:-} wrk -t"$THREADS" -c"$half_conns" -d"$DURATION"s --latency -s "$work/paced.lua" "$(url_of "$leg")")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
      p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
      echo "half-load round $round $leg rps=$rps p50=${p50}ms p99=${p99}ms"
      echo "$leg $rps $p99 $round" >>"$half"
    done
  done
fi

# Ratios are taken round by round (nginx and the leg measured minutes apart at most), then their median.
per_round() { # $1 leg, $2 file, $3 column, $4 ratio|diff -> median over rounds of leg/nginx (or leg - nginx)
  awk -v l="$1" -v c="$3" -v op="$4" '$1=="nginx" {n[$NF]=$c} $1==l {v[$NF]=$c}
    END { for (r in v) if (r in n && n[r] > 0) print (op == "ratio" ? v[r] / n[r] : v[r] - n[r]) }' "$2" | median
}
echo
printf '%-16s %10s %8s %8s %10s %12s %10s %12s\n' leg "req/s" "p50 ms" "p99 ms" "vs nginx" "half req/s" "half p99" "p99-nginx"
for leg in $LEGS; do
  rps=$(awk -v l="$leg" '$1==l {print $2}' "$results" | median)
  p50=$(awk -v l="$leg" '$1==l {print $3}' "$results" | median)
  p99=$(awk -v l="$leg" '$1==l {print $4}' "$results" | median)
  ratio=$(per_round "$leg" "$results" 2 ratio)
  hrps=$(awk -v l="$leg" '$1==l {print $2}' "$half" | median)
  hp99=$(awk -v l="$leg" '$1==l {print $3}' "$half" | median)
  hdiff=$(per_round "$leg" "$half" 3 diff)
  printf '%-16s %10.0f %8.3f %8.3f %9.2fx %12s %10s %12s\n' "$leg" "$rps" "$p50" "$p99" "${ratio:-0}" \
    "${hrps:--}" "${hp99:--}" "${hdiff:+$(printf '%+.3f' "$hdiff")}"
done
