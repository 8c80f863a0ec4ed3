#!/usr/bin/env bash
# Start-to-ready and idle memory of the appliance (release build): median of 5 starts, RSS of all 4 processes.
# Usage: bench/startup.sh BINARY
set -euo pipefail
bin=${1:?usage: bench/startup.sh BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
times=()
for i in 1 2 3 4 5; do
  web=$(port); met=$(port)
  cat > "$work/c.toml" <<TOML
server.listen = "127.0.0.1:$web"
metrics.listen = "127.0.0.1:$met"
storage.data_dir = "$work/data$i"
TOML
  start=$(date +%s%N)
  "$bin" run --config "$work/c.toml" > "$work/log$i" 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$met/ready")" = 200 ]; do
    sleep 0.005
    if (( ($(date +%s%N) - start) > 20000000000 )); then echo "not ready in 20 s"; kill "$pid"; exit 1; fi
  done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  if [ "$i" = 5 ]; then
    sleep 3
    rss=0
    for p in $pid $(pgrep -P "$pid"); do
      r=$(awk '/VmRSS/ {print $2}' "/proc/$p/status"); rss=$((rss + r))
      echo "  pid $p $(tr '\0' ' ' < "/proc/$p/cmdline" | cut -c1-60) rss ${r} kB"
    done
    echo "idle RSS, all processes: $((rss / 1024)) MB"
  fi
  kill -TERM "$pid"; wait "$pid" || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "start to /ready 200 (ms), 5 runs sorted: $sorted"
echo "median: $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) ms"
echo "binary: $(du -h "$bin" | cut -f1) ($bin)"
