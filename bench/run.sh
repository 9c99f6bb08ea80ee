#!/usr/bin/env bash
# Benchmark: wrk against the same upstream (nginx `return 200`) directly, through nginx, through Spring Cloud
# Gateway and through Quotagate, interleaved in rounds so machine noise hits every leg alike. Per leg (medians
# over rounds): requests/s, p50 and p99 at full load and at half of nginx's peak, non-2xx, the gateway's CPU per
# 1,000 requests, Redis's time and commands per request; ratios to nginx. A benchmark, not a test: run it by hand
# on a quiet machine. docs/benchmarks.md describes the method and every column.
#
#   bench/run.sh                       # defaults below
#   ROUNDS=5 DURATION=10 bench/run.sh
#   LEGS="nginx nginx-limit-req scg quotagate-redis quotagate-redis-qps" bench/run.sh
#   QG_JAVA_OPTS="-Dsome.switch=x" bench/run.sh   # extra JVM options for every Quotagate process (last wins)
#   BASE_JAR=/tmp/before.jar LEGS="nginx quotagate-redis quotagate-redis@base" bench/run.sh  # before/after, one run
#   BASE_JAVA_OPTS="-Xmn400m" LEGS="nginx quotagate quotagate@base" bench/run.sh  # JVM options A/B, one run
#   BASE_REDIS_OPTS=", calls_in_flight: 2" LEGS="nginx quotagate-redis quotagate-redis@base" bench/run.sh  # store.redis
#
# Legs:
#   direct               wrk -> upstream
#   nginx                nginx proxy_pass, upstream keep-alive
#   nginx-limit-req      the same plus limit_req keyed on Authorization (local to the nginx, not shared)
#   scg                  Spring Cloud Gateway, RequestRateLimiter + RedisRateLimiter keyed on Authorization
#                        (bench/peers/scg, built from Maven Central on first use)
#   quotagate-auth       Quotagate, memory store, a route neither charged nor rate limited: the proxy's own cost
#   quotagate            Quotagate, memory store, cost 1 + QPS window: full admission in process
#   quotagate-redis      Quotagate, Redis store, count mode: key, QPS window, charge, usage counters
#   quotagate-redis-qps  Quotagate, Redis store, QPS mode: key and the QPS window of a purchase, no charge
#   quotagate-redis-unbatched  as quotagate-redis with calls_in_flight: 0 (one script call per request; not in the default LEGS)
#   <any quotagate leg>@base   the same leg run from $BASE_JAR (another build of the gateway; default: the same
#                        jar) with $BASE_JAVA_OPTS added (and $BASE_REDIS_OPTS in its store.redis block): a
#                        before/after of two builds, of JVM options or of store settings, in one run
# Every process (nginx, Spring Cloud Gateway, each Quotagate leg, Redis) is started once, warmed up once and stays
# up for all rounds. scg and the Redis legs share one Redis.
#
# Needs: nginx, wrk, java, curl, redis-server (Redis legs), mvn (scg, first run only: downloads from Maven Central),
# and `mvn -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}          # seconds per wrk run
WARMUP=${WARMUP:-30}              # seconds of full-speed warm-up per leg, once, before the rounds (JIT)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}             # wrk threads
WORKERS=${WORKERS:-1}             # nginx proxy workers = Quotagate event loops = Spring Cloud Gateway event loops
LEGS=${LEGS:-"direct nginx nginx-limit-req scg quotagate-auth quotagate quotagate-redis quotagate-redis-qps"}
UPSTREAM_PORT=${UPSTREAM_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18082}
NGINX_LIMIT_PORT=${NGINX_LIMIT_PORT:-18083}
SCG_PORT=${SCG_PORT:-18084}
REDIS_PORT=${REDIS_PORT:-18085}
QG_BASE_PORT=${QG_BASE_PORT:-18090}  # each Quotagate leg listens on two ports from here (proxy, admin)
# The same heap and collector for every JVM; QG_JAVA_OPTS / SCG_JAVA_OPTS come after them, so they can override.
JVM_OPTS=${JVM_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
QG_JAVA_OPTS=${QG_JAVA_OPTS:-}
SCG_JAVA_OPTS=${SCG_JAVA_OPTS:-}
JAR=gateway/target/quotagate-gateway.jar
CLI=admin-cli/target/quotagate-admin.jar
SCG_DIR=bench/peers/scg
SCG_JAR=$SCG_DIR/target/scg-peer.jar
PATH_URI=/v1/portrait/generate
# Far above anything wrk sends from this machine, for every limiter: the legs compare the cost of a check, and
# a rejection would make a leg look faster than it is.
HIGH_QPS=100000

work=$(mktemp -d /tmp/quotagate-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in nginx-up nginx-proxy nginx-limit-req; do
    [ -f "$work/$f.pid" ] && kill "$(cat "$work/$f.pid")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

has_leg() { [[ " $LEGS " == *" $1 "* ]]; }
uses_redis() { has_leg scg || [[ " $LEGS " == *" quotagate-redis"* ]]; }

for tool in nginx wrk java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install -y nginx wrk)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "bench: $JAR is missing; run: mvn -q package -DskipTests" >&2; exit 2; }
BASE_JAR=${BASE_JAR:-$JAR}
BASE_JAVA_OPTS=${BASE_JAVA_OPTS:-}
[ -f "$BASE_JAR" ] || { echo "bench: BASE_JAR $BASE_JAR is missing" >&2; exit 2; }
if uses_redis; then
  command -v redis-server >/dev/null || { echo "bench: redis-server is not installed" >&2; exit 2; }
fi
# The Spring Cloud Gateway peer is not part of the Maven reactor (mvn verify never downloads Spring): build it
# here when it is missing or older than its sources.
if has_leg scg && { [ ! -f "$SCG_JAR" ] || [ -n "$(find "$SCG_DIR/pom.xml" "$SCG_DIR/src" -newer "$SCG_JAR" -print -quit)" ]; }; then
  echo "bench: building $SCG_JAR (Maven Central)"
  mvn -q -B -ntp -Dstyle.color=never -f "$SCG_DIR/pom.xml" package -DskipTests
fi

wait_port() {
  for _ in $(seq 1 600); do
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

# --- nginx proxy_pass, upstream keep-alive on; optionally limit_req -----------------------------------
# $1 = name, $2 = port, $3 = extra http-level directives, $4 = extra location directives
start_nginx_proxy() {
  cat > "$work/$1.conf" <<NGINX
worker_processes $WORKERS;
pid $work/$1.pid;
error_log $work/$1.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream api { server 127.0.0.1:$UPSTREAM_PORT; keepalive 256; }
  $3
  server {
    listen 127.0.0.1:$2 backlog=4096;
    location / {
      $4
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
  nginx -c "$work/$1.conf" -p "$work"
  wait_port "$2"
  for _ in $(seq 1 100); do [ -s "$work/$1.pid" ] && return 0; sleep 0.1; done
  echo "bench: nginx $1 wrote no pid file" >&2; exit 1
}
wait_port "$UPSTREAM_PORT"
has_leg nginx && start_nginx_proxy nginx-proxy "$NGINX_PORT" "" ""
# limit_req counts in the shared memory of this one nginx (its workers), not across nginx instances: a local
# limiter, the cheapest kind. Rate and burst far above the load; nodelay: nothing is queued.
has_leg nginx-limit-req && start_nginx_proxy nginx-limit-req "$NGINX_LIMIT_PORT" \
  "limit_req_zone \$http_authorization zone=tenants:10m rate=${HIGH_QPS}r/s; limit_req_status 429;" \
  "limit_req zone=tenants burst=$HIGH_QPS nodelay;"

# --- Redis, shared by scg and the Quotagate Redis legs --------------------------------------------------
if uses_redis; then
  redis-server --port "$REDIS_PORT" --save "" --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  wait_port "$REDIS_PORT"
fi

# --- Quotagate -----------------------------------------------------------------------------------------
# Each Quotagate leg is its own process, started once and kept up for the whole run, as nginx is: a gateway is a
# long-running process, and a JVM restarted before every measurement would be measured half-compiled.
# quotagate-auth and quotagate both use the memory store but not one process, so one leg's garbage (the charged
# leg keeps a settlement record per request) does not land in the other's measurement.
declare -A QG_PORTS KEYS GW_PIDS

# The one place where a Quotagate leg's configuration is written. $1 = leg, $2 = store type, $3 = proxy port.
# Each leg has its own tenant (the Redis legs share one Redis), with limits far above the load: count mode's
# QPS and the most QPS a tenant may buy (for the QPS-mode leg's purchase).
quotagate_yaml() {
  local leg=$1 store=$2 port=$3 redis_block=""
  if [ "$store" = redis ]; then
    # quotagate-redis-unbatched: one script call per request (no coalescing), to show what coalescing buys.
    local in_flight=""
    [[ $leg == quotagate-redis-unbatched* ]] && in_flight=", calls_in_flight: 0"
    [[ $leg == *@base ]] && in_flight+=${BASE_REDIS_OPTS:-}
    redis_block="  redis: { address: \"redis://127.0.0.1:$REDIS_PORT\"$in_flight }"
  fi
  cat <<YAML
server: { port: $port, bind: 127.0.0.1, io_threads: $WORKERS }
admin: { port: $(($port + 1)), token: "bench-token" }
# A 10 s response timeout suits an upstream that answers at once; it also bounds how long the store keeps each
# charged request's record for settlement (response timeout + 60 s).
upstream: { url: "http://127.0.0.1:$UPSTREAM_PORT", response_timeout: 10s }
store:
  type: $store
$redis_block
groups:
  portrait:
    count_mode_qps: $HIGH_QPS
    max_qps: $HIGH_QPS
    routes:
      - { match: "POST /v1/portrait/generate", cost: 1 }
      - { match: "POST /v1/portrait/free", cost: 0, qps: false }
overrides:
  $(tenant_of "$leg"): { portrait: { count_mode_qps: $HIGH_QPS, max_qps: $HIGH_QPS } }
YAML
}

tenant_of() { echo "${1//@/-}"; } # a leg's tenant id ('@' is not allowed in one)

admin_cli() { # $1 = leg, then the command
  local leg=$1; shift
  java -jar "$CLI" --url "http://127.0.0.1:$((${QG_PORTS[$leg]} + 1))" --token bench-token "$@"
}

start_quotagate() { # $1 = leg, $2 = store type (memory|redis), $3 = proxy port (admin = +1), $4 = mode (count|qps)
  local leg=$1 store=$2 port=$3 mode=$4 key jar=$JAR opts=$QG_JAVA_OPTS tenant
  tenant=$(tenant_of "$1")
  [[ $leg == *@base ]] && jar=$BASE_JAR && opts="$QG_JAVA_OPTS $BASE_JAVA_OPTS"
  quotagate_yaml "$leg" "$store" "$port" >"$work/$leg.yaml"
  # shellcheck disable=SC2086 # the option lists are meant to split into words
  java $JVM_OPTS $opts -jar "$jar" --config "$work/$leg.yaml" >"$work/$leg.log" 2>&1 &
  GW_PIDS[$leg]=$!
  pids+=($!)
  QG_PORTS[$leg]=$port
  wait_port "$port"; wait_port $((port + 1))
  key=$(admin_cli "$leg" --json tenant create "$tenant" | sed -E 's/.*"api_key":"([^"]+)".*/\1/')
  [[ $key == qg_* ]] || { echo "bench: could not create the tenant of $leg" >&2; exit 1; }
  if [ "$mode" = qps ]; then
    # QPS mode: calls are not charged; the limit is the purchase (max_qps raised above for it).
    admin_cli "$leg" mode set "$tenant" portrait qps >/dev/null
    admin_cli "$leg" qps buy "$tenant" portrait --qps "$HIGH_QPS" --days 1 --order "bench-$tenant" >/dev/null
  else
    # Count mode: a pack large enough for the whole run.
    admin_cli "$leg" pack grant "$tenant" portrait --calls 1000000000 --order "bench-$tenant" >/dev/null
  fi
  # The limit in force must be the high one, in the leg's mode, or the leg would measure rejections.
  local show
  show=$(admin_cli "$leg" --json tenant show "$tenant" | tr -d ' \n')
  [[ $show == *'"mode":"'$mode'"'* && $show == *'"qps_limit":'$HIGH_QPS[,}]* ]] ||
    { echo "bench: the tenant of $leg is not in $mode mode at $HIGH_QPS QPS: $show" >&2; exit 1; }
  KEYS[$leg]=$key
}

# --- Spring Cloud Gateway ----------------------------------------------------------------------------------
# Matched to Quotagate: the same heap and collector, one Netty event loop for the server and the proxy client
# (reactor.netty.ioWorkerCount), Netty's leak detection and buffer accessibility check off as GatewayMain sets
# them. Lettuce keeps its own I/O threads (at least 2); its one shared connection runs on one of them.
start_scg() {
  # shellcheck disable=SC2086
  java $JVM_OPTS -Dreactor.netty.ioWorkerCount="$WORKERS" -Dio.netty.leakDetection.level=disabled \
    -Dio.netty.buffer.checkAccessible=false $SCG_JAVA_OPTS -jar "$SCG_JAR" \
    --server.port="$SCG_PORT" --spring.data.redis.port="$REDIS_PORT" \
    --bench.upstream="http://127.0.0.1:$UPSTREAM_PORT" >"$work/scg.log" 2>&1 &
  GW_PIDS[scg]=$!
  pids+=($!)
  wait_port "$SCG_PORT"
  KEYS[scg]="Bearer bench-scg"
}

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"prompt":"a portrait"}'
wrk.headers["Content-Type"] = "application/json"
if os.getenv("QG_KEY") and os.getenv("QG_KEY") ~= "" then
  local key = os.getenv("QG_KEY")
  wrk.headers["Authorization"] = key:find(" ") and key or "Bearer " .. key
end
LUA

url_of() {
  case $1 in
    direct) echo "http://127.0.0.1:$UPSTREAM_PORT$PATH_URI" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT$PATH_URI" ;;
    nginx-limit-req) echo "http://127.0.0.1:$NGINX_LIMIT_PORT$PATH_URI" ;;
    scg) echo "http://127.0.0.1:$SCG_PORT$PATH_URI" ;;
    quotagate-auth) echo "http://127.0.0.1:${QG_PORTS[$1]}/v1/portrait/free" ;;
    quotagate*) echo "http://127.0.0.1:${QG_PORTS[$1]}$PATH_URI" ;;
  esac
}

to_ms() { # wrk prints 512.00us / 1.20ms / 1.01s
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print v }'
}

# Median of the numeric values on stdin; nothing when there are none (a leg without Redis, say).
median() { grep -E '^-?[0-9.]+$' | sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# CPU ticks (utime + stime, /proc/PID/stat fields 14 and 15, every thread, live and exited) of a process and its
# children: an nginx's workers, a JVM alone.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() {
  local p total=0 t
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    t=$(awk '{sub(/.*\) /, ""); print $12 + $13}' /proc/"$p"/stat 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

# INFO commandstats as "command calls usec" lines, without INFO itself (the benchmark's own snapshots).
redis_stats() {
  redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' |
    awk -F'[:=,]' '/^cmdstat_/ && $1 != "cmdstat_info" {sub(/^cmdstat_/, "", $1); print $1, $3, $5}'
}

# Redis work over one run, from two snapshots: "top_usec all_usec top_calls all_calls". A script's (or EXEC's)
# time already contains the commands it runs, and Redis counts those again under their own names; so when
# scripts ran, the commands the gateway sent are the scripts (top) and the rest ran inside them. all_* is the
# plain sum of every command.
redis_delta() { # $1 before, $2 after
  awk 'NR == FNR {c[$1] = $2; u[$1] = $3; next}
    { dc = $2 - c[$1]; du = $3 - u[$1]; ac += dc; au += du
      if ($1 ~ /^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro|exec)$/) { sc += dc; su += du } }
    END { if (sc > 0) print su + 0, au + 0, sc + 0, ac + 0; else print au + 0, au + 0, ac + 0, ac + 0 }' "$1" "$2"
}

# One measured wrk run of a leg with its CPU and Redis figures. $1 leg, $2 wrk script, $3 connections, $4 seconds.
# Prints "rps p50 p99 non2xx gw_ms_per_1k_req redis_top_us redis_proc_us top_cmds_per_req all_cmds_per_req
# redis_all_us" (NA where a figure does not apply).
measure() {
  local leg=$1 out gw0 gw1 rd0 rd1 rps p50 p99 reqs bad gw="NA" redis="NA NA NA NA NA"
  local pid=${GW_PIDS[$leg]:-} talks_redis=0
  case $leg in scg|quotagate-redis*) talks_redis=1 ;; esac
  if [ -n "$pid" ]; then gw0=$(cpu_ticks "$pid"); fi
  if [ $talks_redis = 1 ]; then redis_stats >"$work/cmd0"; rd0=$(cpu_ticks "$redis_pid"); fi
  out=$(QG_KEY=${KEYS[$leg]:-} wrk -t"$THREADS" -c"$3" -d"$4"s --latency -s "$2" "$(url_of "$leg")")
  if [ -n "$pid" ]; then gw1=$(cpu_ticks "$pid"); fi
  if [ $talks_redis = 1 ]; then rd1=$(cpu_ticks "$redis_pid"); redis_stats >"$work/cmd1"; fi
  echo "$out" >>"$work/wrk-$leg.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  # Answers other than 2xx/3xx, plus the requests that got none (socket errors: connect, read, write, timeout).
  bad=$(awk '/Non-2xx/ {n += $5} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
  if [ -n "$pid" ] && [ "${reqs:-0}" -gt 0 ]; then
    gw=$(awk -v t=$((gw1 - gw0)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN {printf "%.2f", t / hz * 1000 / (n / 1000)}')
  fi
  if [ $talks_redis = 1 ] && [ "${reqs:-0}" -gt 0 ]; then
    redis=$(redis_delta "$work/cmd0" "$work/cmd1" | awk -v t=$((rd1 - rd0)) -v hz="$CLK_TCK" -v n="$reqs" \
      '{printf "%.2f %.2f %.3f %.2f %.2f", $1 / n, t / hz * 1e6 / n, $3 / n, $4 / n, $2 / n}')
  fi
  echo "$rps $p50 $p99 $bad $gw $redis"
}

results="$work/results.txt"
half="$work/half.txt"
: >"$results"; : >"$half"
echo "bench: rounds=$ROUNDS duration=${DURATION}s connections=$CONNECTIONS wrk-threads=$THREADS workers=$WORKERS legs=[$LEGS]"
echo "bench: $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), $(nginx -v 2>&1)${QG_JAVA_OPTS:+, QG_JAVA_OPTS=$QG_JAVA_OPTS}"
[[ " $LEGS " == *"@base "* ]] && echo "bench: @base legs: $BASE_JAR${BASE_JAVA_OPTS:+, BASE_JAVA_OPTS=$BASE_JAVA_OPTS}${BASE_REDIS_OPTS:+, BASE_REDIS_OPTS=$BASE_REDIS_OPTS}"
echo "bench: logs and raw wrk output in $work"

# Start every gateway, then warm every leg up once at full speed (the JIT compiles the hot path).
port=$QG_BASE_PORT
for leg in $LEGS; do
  case $leg in
    nginx) GW_PIDS[$leg]=$(cat "$work/nginx-proxy.pid") ;;
    nginx-limit-req) GW_PIDS[$leg]=$(cat "$work/nginx-limit-req.pid"); KEYS[$leg]="Bearer bench-nginx" ;;
    scg) start_scg ;;
    quotagate|quotagate-auth|quotagate@base|quotagate-auth@base) start_quotagate "$leg" memory "$port" count; port=$((port + 2)) ;;
    quotagate-redis|quotagate-redis-unbatched|quotagate-redis@base|quotagate-redis-unbatched@base)
      start_quotagate "$leg" redis "$port" count; port=$((port + 2)) ;;
    quotagate-redis-qps|quotagate-redis-qps@base) start_quotagate "$leg" redis "$port" qps; port=$((port + 2)) ;;
    direct) ;;
    *) echo "bench: unknown leg $leg" >&2; exit 2 ;;
  esac
done
for leg in $LEGS; do measure "$leg" "$work/post.lua" "$CONNECTIONS" "$WARMUP" >/dev/null; done

report() { # $1 label, $2 leg, then the fields measure printed
  local label=$1 leg=$2 rps=$3 p50=$4 p99=$5 bad=$6 gw=$7 rtop=$8 rproc=$9 ctop=${10} call=${11} rall=${12}
  local line="$label $leg rps=$rps p50=${p50}ms p99=${p99}ms non2xx=$bad"
  [ "$gw" != NA ] && line+=" gateway=${gw}ms/1k-req"
  [ "$rtop" != NA ] && line+=" redis: cmdstats=${rtop}us/req (all commands summed ${rall}) proc=${rproc}us/req commands=${ctop}/req sent, ${call}/req all"
  echo "$line"
}

for round in $(seq 1 "$ROUNDS"); do
  for leg in $LEGS; do
    read -r -a m < <(measure "$leg" "$work/post.lua" "$CONNECTIONS" "$DURATION")
    report "round $round" "$leg" "${m[@]}"
    echo "$leg ${m[*]} $round" >>"$results"
  done
done

nginx_rps=$(awk '$1=="nginx" {print $2}' "$results" | median)

# --- latency at half of nginx's peak: every leg is offered the same request rate, half of nginx's median peak.
# wrk2 is not packaged, so the Lua script paces wrk itself: delay() (LuaJIT's ffi reads CLOCK_MONOTONIC) hands
# each finished connection the next free slot of a fixed schedule, so requests start at a constant rate whatever
# the latency, as long as enough connections are idle. Latency is measured from each request's send, as wrk does.
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
      read -r -a m < <(measure "$leg" "$work/paced.lua" "$half_conns" "$DURATION")
      report "half-load round $round" "$leg" "${m[@]}"
      echo "$leg ${m[*]} $round" >>"$half"
    done
  done
fi

# Fields of results.txt and half.txt: 1 leg, 2 rps, 3 p50, 4 p99, 5 non2xx, 6 gateway ms/1k req, 7 Redis µs/req
# (commands sent), 8 Redis process µs/req, 9 commands sent/req, 10 all commands/req, 11 all commands' µs/req,
# last: round.
col() { awk -v l="$1" -v c="$3" '$1==l {print $c}' "$2" | median; }
# Ratios are taken round by round (the two legs measured minutes apart at most), then their median.
per_round() { # $1 leg, $2 base leg, $3 file, $4 column, $5 ratio|diff -> median over rounds of leg/base or leg-base
  awk -v l="$1" -v b="$2" -v c="$4" -v op="$5" '$1==b {n[$NF]=$c} $1==l {v[$NF]=$c}
    END { for (r in v) if (r in n && n[r] > 0) print (op == "ratio" ? v[r] / n[r] : v[r] - n[r]) }' "$3" | median
}
fmt() { [ -n "$2" ] && printf "$1" "$2" || echo -; }
echo
echo "Medians over $ROUNDS rounds. Full load: $CONNECTIONS connections; half load: ${half_rate:-no} req/s offered."
echo "non-2xx: summed over every measured run (full and half load), socket errors included."
echo "gw ms/1k: gateway CPU (user+sys) per 1,000 requests at full load; redis µs/req: INFO commandstats time of the"
echo "commands sent (scripts whole) per request; redis proc: Redis process CPU per request; cmds/req: commands sent,"
echo "and all commands Redis counted (those inside scripts too)."
printf '%-20s %9s %7s %8s %7s | %7s %8s %9s | %7s | %8s %8s %8s %8s %8s\n' leg "req/s" "p50" "p99" "vs nginx" \
  "half p50" "half p99" "p99-nginx" "non-2xx" "gw ms/1k" "rd us/req" "rd proc" "cmds/req" "all/req"
for leg in $LEGS; do
  bad=$(cat "$results" "$half" | awk -v l="$leg" '$1==l {n += $5} END {print n + 0}')
  printf '%-20s %9s %7s %8s %7s | %8s %8s %9s | %7s | %8s %8s %8s %8s %8s\n' "$leg" \
    "$(fmt %.0f "$(col "$leg" "$results" 2)")" "$(fmt %.2f "$(col "$leg" "$results" 3)")" \
    "$(fmt %.2f "$(col "$leg" "$results" 4)")" "$(fmt %.2fx "$(per_round "$leg" nginx "$results" 2 ratio)")" \
    "$(fmt %.2f "$(col "$leg" "$half" 3)")" "$(fmt %.2f "$(col "$leg" "$half" 4)")" \
    "$(fmt %+.2f "$(per_round "$leg" nginx "$half" 4 diff)")" "$bad" \
    "$(fmt %.1f "$(col "$leg" "$results" 6)")" "$(fmt %.2f "$(col "$leg" "$results" 7)")" \
    "$(fmt %.2f "$(col "$leg" "$results" 8)")" "$(fmt %.3f "$(col "$leg" "$results" 9)")" \
    "$(fmt %.2f "$(col "$leg" "$results" 10)")"
done
# What each Quotagate leg answered over the whole run (warm-up included), from its own metrics: a non-2xx above is
# then a rejection code (qps_exceeded, calls_exhausted...) or a store failure (quota_store_unavailable).
for leg in $LEGS; do
  [ -n "${QG_PORTS[$leg]:-}" ] || continue
  outcomes=$(curl -s -H "Authorization: Bearer bench-token" "http://127.0.0.1:$((${QG_PORTS[$leg]} + 1))/metrics" |
    awk '/^quotagate_requests_total\{/ { match($0, /outcome="[^"]*"/); o = substr($0, RSTART + 9, RLENGTH - 10)
      n[o] += $NF } END { for (o in n) printf "%s%s=%d", (s++ ? ", " : ""), o, n[o] }')
  echo "$leg outcomes over the run: ${outcomes:-(no metrics)}"
done
if has_leg scg; then
  for leg in quotagate-redis quotagate-redis-qps; do
    has_leg "$leg" && echo "$leg vs scg (median of per-round req/s ratios): $(fmt %.2fx "$(per_round "$leg" scg "$results" 2 ratio)")"
  done
fi
exit 0
