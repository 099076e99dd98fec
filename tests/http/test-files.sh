# Whole files byte for byte (sizes around the buffer size, empty, several
# MiB), HEAD, Content-Type, 404 / 403 / 405.
#   bash test-files.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

B=65536
start_server --buffer-size $B

note "whole files, byte for byte"
sizes=(0 1 4095 4096 $((B - 1)) $B $((B + 1)) $((2 * B)) $((2 * B + 1)) $((3 * 1048576 + 17)) $((8 * 1048576)))
for size in "${sizes[@]}"; do
  random_file "$ROOT/f$size.bin" "$size"
done
for size in "${sizes[@]}"; do
  code=$(fetch "/f$size.bin" "$WORK/got")
  [[ $code == 200 ]] || fail "GET /f$size.bin: $code"
  same_file "$ROOT/f$size.bin" "$WORK/got"
  len=$(headers "/f$size.bin" | header_value content-length)
  [[ $len == "$size" ]] || fail "/f$size.bin: Content-Length $len, expected $size"
done

note "several files on parallel connections"
pids=()
for size in "${sizes[@]}"; do
  fetch "/f$size.bin" "$WORK/par$size" >/dev/null &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a parallel download failed"; done
for size in "${sizes[@]}"; do same_file "$ROOT/f$size.bin" "$WORK/par$size"; done

note "HEAD: the GET headers, no body"
size=$((3 * 1048576 + 17))
raw_request "HEAD /f$size.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" "$WORK/head"
grep -q $'^HTTP/1.1 200 OK\r$' "$WORK/head" || fail "HEAD status: $(head -1 "$WORK/head")"
grep -qi "^content-length: $size"$'\r$' "$WORK/head" || fail "HEAD Content-Length wrong"
header_only "$WORK/head" || fail "HEAD response carries a body ($(wc -c <"$WORK/head") bytes)"
raw_request "HEAD /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" "$WORK/head404"
grep -q $'^HTTP/1.1 404 Not Found\r$' "$WORK/head404" || fail "HEAD of a missing file"
header_only "$WORK/head404" || fail "HEAD 404 carries a body"

note "Content-Type, Last-Modified, Accept-Ranges, index.html"
echo '<p>hi</p>' >"$ROOT/index.html"
mkdir "$ROOT/docs"
echo 'body { }' >"$ROOT/docs/site.css"
h=$(headers /)
[[ $(header_value content-type <<<"$h") == text/html ]] || fail "/ is not text/html: $h"
[[ -n $(header_value last-modified <<<"$h") ]] || fail "no Last-Modified"
[[ $(header_value accept-ranges <<<"$h") == bytes ]] || fail "no Accept-Ranges: bytes"
[[ $(fetch / "$WORK/index") == 200 ]] && same_file "$ROOT/index.html" "$WORK/index"
[[ $(headers /docs/site.css | header_value content-type) == text/css ]] || fail "css type"
[[ $(headers "/f1.bin" | header_value content-type) == application/octet-stream ]] ||
  fail "octet-stream type"

note "errors"
expect_status 404 /missing.bin
expect_status 404 /no/such/dir/file
expect_status 404 /f1.bin/below-a-file
expect_status 404 /docs/ # no index.html there
expect_status 403 /docs  # a directory
expect_status 405 /f1.bin -X POST -d x
expect_status 405 /f1.bin -X DELETE
[[ $(headers /f1.bin -X PUT -d x | header_value allow) == "GET, HEAD" ]] || fail "405 without Allow"

expect_pool_full
stop_server
echo PASS
