# More connections than buffers: with a pool of 2 buffers, 16 parallel
# downloads (some slow) all complete, byte for byte; none fails, none
# allocates; the pool is full afterwards.
#   bash test-backpressure.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

start_server --pool-buffers 2 --buffer-size 65536 --connection-buffers 2
random_file "$ROOT/big.bin" $((3 * 1048576 + 5))
random_file "$ROOT/small.bin" 1000

pids=()
for i in $(seq 1 16); do
  file=big.bin
  args=()
  ((i % 4 == 0)) && file=small.bin
  ((i % 5 == 0)) && args=(--limit-rate 4M) # holds a buffer while the socket is slow
  (
    code=$(fetch "/$file" "$WORK/got$i" "${args[@]}")
    [[ $code == 200 ]] || { echo "download $i: $code" >&2; exit 1; }
  ) &
  pids+=($!)
done
sleep 0.3
avail=$(stat_value pool_available)
note "during the downloads: $avail of 2 buffers free"
for pid in "${pids[@]}"; do wait "$pid" || fail "a download failed"; done
for i in $(seq 1 16); do
  file=big.bin
  ((i % 4 == 0)) && file=small.bin
  same_file "$ROOT/$file" "$WORK/got$i"
done

expect_pool_full
[[ $(stat_value send_failures) == 0 ]] || fail "send failures: $(stat_value send_failures)"
stop_server
echo PASS
