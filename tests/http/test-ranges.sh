# Range requests: first bytes, middle, across buffer boundaries, suffix,
# open-ended, clamped; 416 for unsatisfiable ones; ignored (200) when
# invalid, multiple, of another unit, on HEAD, or when If-Range fails.
#   bash test-ranges.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

B=65536
start_server --buffer-size $B
size=$((3 * B + 123))
random_file "$ROOT/r.bin" $size
: >"$ROOT/empty.bin"

# expect_range SPEC FIRST LAST: "Range: bytes=SPEC" gives 206 with bytes FIRST..LAST.
expect_range() {
  local spec=$1 first=$2 last=$3 code h
  code=$(fetch /r.bin "$WORK/part" -H "Range: bytes=$spec" -D "$WORK/part.h")
  [[ $code == 206 ]] || fail "bytes=$spec: status $code"
  slice "$ROOT/r.bin" "$first" $((last - first + 1)) >"$WORK/want"
  same_file "$WORK/want" "$WORK/part"
  h=$(tr -d '\r' <"$WORK/part.h" | sed 's/^\([^:]*\):/\L\1:/')
  [[ $(header_value content-range <<<"$h") == "bytes $first-$last/$size" ]] ||
    fail "bytes=$spec: Content-Range '$(header_value content-range <<<"$h")'"
  [[ $(header_value content-length <<<"$h") == $((last - first + 1)) ]] ||
    fail "bytes=$spec: Content-Length"
}

# expect_416 FILE SPEC
expect_416() {
  local h
  h=$(headers "$1" -H "Range: bytes=$2")
  [[ $h == *"HTTP/1.1 416 Range Not Satisfiable"* ]] || fail "bytes=$2 on $1: $(head -1 <<<"$h")"
  [[ $(header_value content-range <<<"$h") == "bytes */$(stat -c %s "$ROOT$1")" ]] ||
    fail "416 without Content-Range: bytes */size"
}

# expect_whole [curl args...]: 200 with the whole file.
expect_whole() {
  local code
  code=$(fetch /r.bin "$WORK/whole" "$@")
  [[ $code == 200 ]] || fail "$*: status $code, expected 200"
  same_file "$ROOT/r.bin" "$WORK/whole"
}

note "satisfiable ranges"
expect_range 0-0 0 0
expect_range 0-99 0 99
expect_range 1000-1999 1000 1999
expect_range $((B - 1))-$((B)) $((B - 1)) $((B))
expect_range $((B - 10))-$((2 * B + 10)) $((B - 10)) $((2 * B + 10))
expect_range 5- 5 $((size - 1))
expect_range $((size - 1))- $((size - 1)) $((size - 1))
expect_range -1 $((size - 1)) $((size - 1))
expect_range -100 $((size - 100)) $((size - 1))
expect_range -$((B + 7)) $((size - B - 7)) $((size - 1))
expect_range -$((size + 50)) 0 $((size - 1))
expect_range 10-$((size + 1000)) 10 $((size - 1))
expect_range " 7-8" 7 8

note "unsatisfiable: 416"
expect_416 /r.bin "$size-"
expect_416 /r.bin "$((size + 10))-$((size + 20))"
expect_416 /r.bin "-0"
expect_416 /r.bin "99999999999999999999999-"
expect_416 /empty.bin "0-"
expect_416 /empty.bin "-5"

note "ignored Range: whole file"
expect_whole -H "Range: bytes=5-2"
expect_whole -H "Range: bytes=0-1,5-6"
expect_whole -H "Range: items=0-1"
expect_whole -H "Range: bytes=abc"
expect_whole -H "Range: bytes=-"
h=$(headers /r.bin -I -H "Range: bytes=0-9")
[[ $h == *"HTTP/1.1 200 OK"* && $(header_value content-length <<<"$h") == "$size" ]] ||
  fail "HEAD with Range: $h"

note "If-Range"
lm=$(headers /r.bin | header_value last-modified)
[[ $(status /r.bin -H "Range: bytes=0-9" -H "If-Range: $lm") == 206 ]] || fail "If-Range: current date"
expect_whole -H "Range: bytes=0-9" -H "If-Range: Thu, 01 Jan 2015 00:00:00 GMT"
expect_whole -H "Range: bytes=0-9" -H 'If-Range: "some-etag"'

expect_pool_full
stop_server
echo PASS
