# SIGUSR1 prints the counters; SIGTERM and SIGINT stop the server promptly
# and cleanly (exit 0) even with slow downloads in flight: two of them, so
# that with --threads 2 (connections handed out in turn) each context holds
# leases of the shared pool when the contexts are destroyed.
#   bash test-signals.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

# Larger than loopback's socket buffers can hold, so the slow download
# keeps a lease while it waits on the socket.
truncate -s 64M "$ROOT/big.bin"

for sig in TERM INT; do
  start_server --buffer-size 65536
  kill -USR1 "$SERVER_PID"
  for ((i = 0; i < 50; i++)); do
    grep -q '^pool_available ' "$WORK/server.out" && break
    sleep 0.1
  done
  grep -q '^pool_size 64$' "$WORK/server.out" || fail "SIGUSR1 printed no pool counters"

  curl_pids=()
  for ((k = 0; k < 2; k++)); do
    curl -sS --max-time 30 --limit-rate 1M -o /dev/null "$(url /big.bin)" >/dev/null 2>&1 &
    curl_pids+=($!)
    BACKGROUND+=($!)
  done
  sleep 0.5
  [[ $(stat_value pool_available) -le 62 ]] || fail "the slow downloads hold no buffers"
  note "context_connections: $(stat_value context_connections)"
  start=$(date +%s%N)
  kill -"$sig" "$SERVER_PID"
  status=0
  wait "$SERVER_PID" || status=$?
  SERVER_PID=
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  [[ $status == 0 ]] || fail "SIG$sig: exit status $status"
  ((elapsed_ms < 3000)) || fail "SIG$sig: took $elapsed_ms ms to stop"
  grep -q "^signal [0-9]*: shutting down$" "$WORK/server.out" || fail "no shutdown message"
  grep -q '^stopped: ' "$WORK/server.out" || fail "no stop report"
  [[ ! -s $WORK/server.err ]] || fail "errors at shutdown"
  # What the server had queued in the socket still trickles to the slow
  # client after the exit (TCP delivers it before the FIN): stop it.
  kill "${curl_pids[@]}" 2>/dev/null || true
  wait "${curl_pids[@]}" 2>/dev/null || true
  note "SIG$sig: stopped in $elapsed_ms ms"
done
echo PASS
