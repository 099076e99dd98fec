# A bounded load run: wrk for 3 s with 32 connections over 2 server threads
# and a pool smaller than the number of connections, on a mix of whole
# files and ranges. No request may fail (no non-2xx, no socket errors);
# afterwards every buffer is back and every connection closed.
#   bash test-load.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

command -v wrk >/dev/null || skip "wrk is not installed"
start_server --threads 2 --pool-buffers 8 --buffer-size 65536
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
for ((i = 0; i < 50; i++)); do
  [[ $(stat_value sessions) == 1 ]] && break
  sleep 0.1
done
[[ $(stat_value sessions) == 1 ]] || fail "connections left open: $(stat_value sessions)"
stop_server
echo PASS
