# Last-Modified and If-Modified-Since: 304 without a body when the file is
# not newer; 200 when it is, or when the date is invalid, or If-None-Match
# is present; all three date formats; conditional before Range.
#   bash test-conditional.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

start_server
random_file "$ROOT/c.bin" 100000
touch -d '2020-01-02 03:04:05 UTC' "$ROOT/c.bin"
lm=$(headers /c.bin | header_value last-modified)
[[ $lm == "Thu, 02 Jan 2020 03:04:05 GMT" ]] || fail "Last-Modified is '$lm'"

# expect_ims CODE DATE [curl args]
expect_ims() {
  local want=$1 date=$2 code
  shift 2
  rm -f "$WORK/body" # curl creates no file when there is no body
  code=$(fetch /c.bin "$WORK/body" -H "If-Modified-Since: $date" "$@")
  [[ $code == "$want" ]] || fail "If-Modified-Since: $date gave $code, expected $want"
  if [[ $want == 304 ]]; then
    [[ ! -s $WORK/body ]] || fail "304 with a body"
  else
    same_file "$ROOT/c.bin" "$WORK/body"
  fi
}

expect_ims 304 "$lm"
expect_ims 304 "Fri, 03 Jan 2020 00:00:00 GMT"
expect_ims 304 "Thursday, 02-Jan-20 03:04:05 GMT" # RFC 850
expect_ims 304 "Thu Jan  2 03:04:05 2020"         # asctime
expect_ims 200 "Thu, 02 Jan 2020 03:04:04 GMT"    # one second older
expect_ims 200 "yesterday"
expect_ims 200 "$lm" -H 'If-None-Match: "x"'
expect_ims 304 "$lm" -H "Range: bytes=0-9"

h=$(headers /c.bin -H "If-Modified-Since: $lm")
[[ -z $(header_value content-length <<<"$h") ]] || fail "304 with Content-Length"
[[ $(header_value last-modified <<<"$h") == "$lm" ]] || fail "304 without Last-Modified"
raw_request "HEAD /c.bin HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: $lm\r\nConnection: close\r\n\r\n" "$WORK/h304"
grep -q $'^HTTP/1.1 304 Not Modified\r$' "$WORK/h304" || fail "HEAD with If-Modified-Since"
header_only "$WORK/h304" || fail "304 to HEAD carries a body"

note "a changed file is sent again"
touch "$ROOT/c.bin"
expect_ims 200 "$lm"

expect_pool_full
stop_server
echo PASS
