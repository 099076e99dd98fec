# Persistent connections: curl reuses one connection for several URLs
# (bodies, errors and ranges in between); pipelined requests are answered
# in order; HTTP/1.0 and "Connection: close" close; a malformed request
# gets 400 and a close.
#   bash test-keepalive.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

start_server --buffer-size 65536
random_file "$ROOT/a.bin" 300000
random_file "$ROOT/b.bin" 1
: >"$ROOT/c.bin"

note "one connection, several requests"
curl -sS -v --max-time 20 \
  -o "$WORK/a" "$(url /a.bin)" \
  -o "$WORK/missing" "$(url /missing)" \
  -o "$WORK/b" "$(url /b.bin)" \
  -o "$WORK/c" "$(url /c.bin)" \
  -o "$WORK/a2" "$(url /a.bin)" 2>"$WORK/curl.log"
reused=$(grep -c 'Re-using existing connection' "$WORK/curl.log" || true)
[[ $reused -ge 4 ]] || fail "curl re-used the connection $reused times, expected 4: $(grep -i connect "$WORK/curl.log")"
same_file "$ROOT/a.bin" "$WORK/a"
same_file "$ROOT/b.bin" "$WORK/b"
same_file "$ROOT/c.bin" "$WORK/c"
same_file "$ROOT/a.bin" "$WORK/a2"

note "ranges and HEAD on a kept-alive connection"
curl -sS -v --max-time 20 -r 0-9 -o "$WORK/r1" "$(url /a.bin)" \
  --next -r 299990- -o "$WORK/r2" "$(url /a.bin)" \
  --next -I -o "$WORK/h" "$(url /a.bin)" \
  --next -o "$WORK/a3" "$(url /a.bin)" 2>"$WORK/curl2.log"
reused=$(grep -c 'Re-using existing connection' "$WORK/curl2.log" || true)
[[ $reused -ge 3 ]] || fail "ranges and HEAD: connection re-used $reused times, expected 3"
head -c 10 "$ROOT/a.bin" | cmp - "$WORK/r1" || fail "first range"
tail -c 10 "$ROOT/a.bin" | cmp - "$WORK/r2" || fail "second range"
grep -qi '^content-length: 300000' "$WORK/h" || fail "HEAD on a kept-alive connection"
same_file "$ROOT/a.bin" "$WORK/a3"

note "pipelined requests are answered in order"
echo text >"$ROOT/t.txt" # ends in a newline: every status line starts a line
raw_request "GET /t.txt HTTP/1.1\r\nHost: t\r\n\r\nHEAD /a.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\nGET /t.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" "$WORK/pipe"
statuses=$(grep -a '^HTTP/1.1 ' "$WORK/pipe" | cut -d' ' -f2 | tr '\n' ' ')
[[ $statuses == "200 200 404 200 " ]] || fail "pipelined statuses: $statuses"

note "HTTP/1.0 without keep-alive closes; with keep-alive stays open"
raw_request "GET /b.bin HTTP/1.0\r\n\r\n" "$WORK/h10"
grep -q $'^HTTP/1.0 200 OK\r$' "$WORK/h10" || fail "HTTP/1.0 reply: $(head -1 "$WORK/h10")"
curl -sS -v -0 -H 'Connection: keep-alive' -o /dev/null "$(url /b.bin)" -o /dev/null "$(url /b.bin)" \
  2>"$WORK/curl10.log"
grep -q 'Re-using existing connection' "$WORK/curl10.log" || fail "HTTP/1.0 keep-alive not kept"

note "malformed requests: 400 and close"
raw_request "GARBAGE\r\n\r\n" "$WORK/bad"
grep -q $'^HTTP/1.1 400 Bad Request\r$' "$WORK/bad" || fail "garbage request: $(head -1 "$WORK/bad")"
grep -qi $'^connection: close\r$' "$WORK/bad" || fail "400 without Connection: close"
raw_request "GET /b.bin HTTP/1.1\r\nHost: t\r\nX: $(head -c 9000 /dev/zero | tr '\0' x)\r\n\r\n" "$WORK/big"
grep -q '^HTTP/1.1 431 ' "$WORK/big" || fail "oversized header: $(head -1 "$WORK/big")"

expect_pool_full
[[ $(stat_value sessions) == 1 ]] || fail "sessions left open: $(stat_value sessions)"
stop_server
echo PASS
