# A bounded load run: wrk for 3 s with 32 connections and a pool smaller
# than the number of connections, on a mix of whole files and ranges. No
# request may fail (no non-2xx, no socket errors); afterwards every buffer
# is back and every connection closed. With --threads N (in the args; CMake
# runs it with 1 and 2, and with --accept reuseport), every io_context must
# have served connections and requests, and the per-context counters must
# add up to the totals.
#   bash test-load.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

command -v wrk >/dev/null || skip "wrk is not installed"
start_server --pool-buffers 8 --buffer-size 65536
random_file "$ROOT/s.bin" 1024
random_file "$ROOT/m.bin" 300000
random_file "$ROOT/l.bin" $((3 * 1048576))
: >"$ROOT/e.bin"

cat >"$WORK/mix.lua" <<'LUA'
local requests = {
  { path = "/s.bin" }, { path = "/m.bin" }, { path = "/l.bin" }, { path = "/e.bin" },
  { path = "/m.bin", headers = { Range = "bytes=1000-250000" } },
  { path = "/l.bin", headers = { Range = "bytes=-70000" } },
}
local i = 0
request = function()
  i = i % #requests + 1
  local r = requests[i]
  return wrk.format("GET", r.path, r.headers)
end
LUA
wrk -t2 -c32 -d3s --timeout 10s -s "$WORK/mix.lua" "$(url /)" >"$WORK/wrk.out" 2>&1 ||
  fail "wrk failed: $(cat "$WORK/wrk.out")"
cat "$WORK/wrk.out"
requests=$(sed -n 's/^ *\([0-9]\+\) requests in .*/\1/p' "$WORK/wrk.out")
[[ ${requests:-0} -gt 100 ]] || fail "only ${requests:-0} requests completed"
! grep -q 'Non-2xx or 3xx responses' "$WORK/wrk.out" || fail "some responses were not 2xx"
! grep -q 'Socket errors' "$WORK/wrk.out" || fail "wrk saw socket errors"

expect_pool_full
# One snapshot of /__stats, so that the totals and the per-context
# counters include the same requests (the server is idle).
curl -sS --max-time 5 "$(url /__stats)" >"$WORK/stats"
value() { sed -n "s/^$1 //p" "$WORK/stats"; }
contexts=$(value contexts)
connections=($(value context_connections))
context_requests=($(value context_requests))
[[ ${#connections[@]} == "$contexts" && ${#context_requests[@]} == "$contexts" ]] ||
  fail "per-context counters for $contexts contexts: ${connections[*]} / ${context_requests[*]}"
sum=0
for ((i = 0; i < contexts; i++)); do
  ((connections[i] > 0 && context_requests[i] > 0)) ||
    fail "context $i served nothing: connections ${connections[*]}, requests ${context_requests[*]}"
  sum=$((sum + context_requests[i]))
done
((sum == $(value requests))) ||
  fail "per-context requests ${context_requests[*]} do not add up to $(value requests)"
note "$contexts context(s): connections ${connections[*]}, requests ${context_requests[*]}"
for ((i = 0; i < 50; i++)); do
  [[ $(stat_value sessions) == 1 ]] && break
  sleep 0.1
done
[[ $(stat_value sessions) == 1 ]] || fail "connections left open: $(stat_value sessions)"
stop_server
echo PASS
