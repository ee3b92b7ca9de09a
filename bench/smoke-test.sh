#!/usr/bin/env bash
# smoke-test and health-check against a local nginx on 127.0.0.1.
#
#   bash bench/smoke-test.sh [CHECKS]        (default: 1000)
#
# Needs nginx and hyperfine (apt-get install nginx hyperfine). Uses
# target/release/{smoke-test,health-check} (built if missing); hurl is used
# for the comparison when it is on PATH (hurl --test --parallel).
#
# Measures:
#   1. smoke-test running CHECKS HTTP checks (status, a header, a JSONPath
#      value, body_contains) at --concurrency 32, and the same number of
#      checks in one hurl file run by hurl --test --parallel when present;
#   2. health-check's overhead per attempt: `--once` against a healthy URL
#      (the whole process: start, one request, exit), next to curl doing the
#      same request, and 200 attempts in one process against a 503 (the
#      per-attempt cost of the loop without its sleeps).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
checks="${1:-1000}"
case "$checks" in '' | *[!0-9]*)
  echo "bench: CHECKS must be a number, got '$checks'" >&2
  exit 2
  ;;
esac
for tool in nginx hyperfine curl; do
  command -v "$tool" >/dev/null || {
    echo "bench: $tool is missing (apt-get install nginx hyperfine curl)" >&2
    exit 3
  }
done

# No runner variables: the binaries would write outputs and annotations.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(GITHUB_|RUNNER_|INPUT_)' || true)

bin="$root/target/release"
if [ ! -x "$bin/smoke-test" ] || [ ! -x "$bin/health-check" ]; then
  (cd "$root" && cargo build --release --locked -p smoke-test -p health-check) >&2
fi

work="$(mktemp -d)"
# nginx workers run as an unprivileged user: they must be able to read it.
chmod 755 "$work"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free port: bind 0, read it back.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/www/items" "$work/logs"
printf '{"status":"ok","version":"84fb5881-20250120-143022"}\n' >"$work/www/health.json"
for i in $(seq 1 50); do
  printf '{"id":%d,"name":"widget-%d","tags":["a","b"]}\n' "$i" "$i" >"$work/www/items/$i.json"
done
cat >"$work/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    location = /health { try_files /health.json =404; add_header x-service bench; }
    location /items/ { try_files \$uri.json =404; add_header x-service bench; }
    location = /down { return 503 'starting'; }
  }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
base="http://127.0.0.1:$port"

# The spec: CHECKS checks over 50 item documents.
{
  echo "base_url: $base"
  echo "checks:"
  for i in $(seq 1 "$checks"); do
    n=$(((i - 1) % 50 + 1))
    echo "  - name: item $i"
    echo "    request: { path: /items/$n }"
    echo "    expect: { status: 200, headers: { x-service: bench }, json: { \"\$.id\": $n }, body_contains: widget-$n }"
  done
} >"$work/spec.yml"

# The same checks for hurl.
{
  for i in $(seq 1 "$checks"); do
    n=$(((i - 1) % 50 + 1))
    printf 'GET %s/items/%d\nHTTP 200\n[Asserts]\nheader "x-service" == "bench"\njsonpath "$.id" == %d\nbody contains "widget-%d"\n\n' "$base" "$n" "$n" "$n"
  done
} >"$work/checks.hurl"

echo "== smoke-test: $checks checks at concurrency 32"
"$bin/smoke-test" --spec "$work/spec.yml" --concurrency 32 2>&1 | tail -n 1
cmds=("$bin/smoke-test --spec $work/spec.yml --concurrency 32")
if command -v hurl >/dev/null; then
  cmds+=("hurl --test --parallel --jobs 32 $work/checks.hurl")
else
  echo "(hurl is not installed: cargo install hurl needs libcurl and libxml2 dev packages)"
fi
hyperfine -N --warmup 1 --runs "${RUNS:-10}" "${cmds[@]}"

echo
echo "== health-check: one attempt per process (--once), next to curl"
hyperfine -N --warmup 5 --runs "${RUNS_ONCE:-100}" \
  "$bin/health-check --url $base/health --once" \
  "curl -sf -o /dev/null $base/health"

echo
echo "== health-check: 10 attempts in one process against a 503 (at the 100 ms interval floor: 0.9 s of waits)"
hyperfine -N --warmup 1 --runs "${RUNS:-10}" -i \
  "$bin/health-check --url $base/down --interval 100ms --retries 9 --deadline 60s"
