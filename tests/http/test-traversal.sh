# Nothing outside the root is served: ".." in any spelling (plain,
# percent-encoded dots and slashes), symlinks resolving outside (relative,
# absolute, through a linked directory), FIFOs; symlinks that stay inside
# work. Malformed targets get 400.
#   bash test-traversal.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

start_server
echo "secret outside the root" >"$WORK/outside.txt"
mkdir -p "$ROOT/sub/deeper"
echo inside >"$ROOT/sub/inside.txt"
ln -s ../outside.txt "$ROOT/escape-rel"
ln -s "$WORK/outside.txt" "$ROOT/escape-abs"
ln -s ../../../outside.txt "$ROOT/sub/deeper/escape-deep"
ln -s /etc "$ROOT/etc-link"
ln -s sub/inside.txt "$ROOT/link-in"
ln -s sub "$ROOT/sublink"
ln -s "$ROOT/sub/inside.txt" "$ROOT/abs-link-in" # absolute, but inside the root
mkfifo "$ROOT/fifo"

# refused CODE PATH: CODE, and no byte of a file outside the root.
refused() {
  local code
  code=$(fetch "$2" "$WORK/body")
  [[ $code == "$1" ]] || fail "GET $2 gave $code, expected $1"
  ! grep -q -e secret -e 'root:' "$WORK/body" || fail "GET $2 leaked: $(head -c 200 "$WORK/body")"
}

note "dot-dot in every spelling"
refused 403 /../etc/passwd
refused 403 /../../../../../../etc/passwd
refused 403 /sub/../../outside.txt
refused 403 /%2e%2e/etc/passwd
refused 403 /%2E%2E/outside.txt
refused 403 /.%2e/outside.txt
refused 403 /%2e%2e%2fetc%2fpasswd
refused 403 /sub%2f..%2f..%2foutside.txt
refused 403 /..%2F..%2Fetc%2Fpasswd
refused 403 /sub/%2e%2e/%2e%2e/outside.txt
refused 404 '/..%5c..%5cetc%5cpasswd' # a backslash is an ordinary character here
refused 403 '/sub/..'

note "symlinks leading out of the root"
refused 403 /escape-rel
refused 403 /escape-abs
refused 403 /sub/deeper/escape-deep
refused 403 /etc-link/passwd
refused 403 /abs-link-in # resolved beneath the root: an absolute target escapes

note "symlinks inside the root, and harmless dots"
for path in /link-in /sublink/inside.txt /sub/./inside.txt //sub//inside.txt "/sub/inside.txt?x=1"; do
  [[ $(fetch "$path" "$WORK/in") == 200 ]] || fail "GET $path: not 200"
  same_file "$ROOT/sub/inside.txt" "$WORK/in"
done

note "not regular files"
refused 403 /fifo # would block a plain open(2)
refused 403 /sub

note "malformed targets: 400"
refused 400 '/%zz'
refused 400 '/%2'
refused 400 '/a%00b'
expect_status 400 / --request-target 'http://example.com/sub/inside.txt'
expect_status 400 / --request-target '*'

expect_pool_full
stop_server
echo PASS
