# --direct: files read with O_DIRECT in aligned blocks, the requested bytes
# cut out of each block; whole files and ranges at odd offsets byte for
# byte. Skipped where the scratch filesystem refuses O_DIRECT.
#   bash test-direct.sh SERVER [server args...]
source "$(dirname "$0")/lib.sh"

fstype=$(stat -f -c %T "$WORK")
dd if=/dev/zero of="$WORK/probe" bs=4096 count=1 oflag=direct status=none 2>/dev/null ||
  skip "O_DIRECT is not supported on $WORK ($fstype)"
rm -f "$WORK/probe"

B=65536
start_server --direct --buffer-size $B
grep -q '^direct: ' "$WORK/server.out" || fail "server did not announce --direct"

note "whole files ($fstype)"
sizes=(0 1 511 512 513 4095 4096 4097 $((B - 1)) $B $((B + 1)) $((3 * 1048576 + 777)))
for size in "${sizes[@]}"; do
  random_file "$ROOT/d$size.bin" "$size"
  [[ $(fetch "/d$size.bin" "$WORK/got") == 200 ]] || fail "GET /d$size.bin"
  same_file "$ROOT/d$size.bin" "$WORK/got"
done
[[ $(stat_value direct_files) -gt 0 ]] ||
  skip "the server fell back to buffered reads: no O_DIRECT alignment reported for $fstype files"

note "ranges at unaligned offsets"
f=d$((3 * 1048576 + 777)).bin
size=$(stat -c %s "$ROOT/$f")
for spec in 1-1 511-512 4095-4096 777-$((B + 333)) $((B - 1))- -1 -12345 $((size - 777))-$((size - 2)) 3000000-; do
  code=$(fetch "/$f" "$WORK/part" -H "Range: bytes=$spec" -D "$WORK/part.h")
  [[ $code == 206 ]] || fail "bytes=$spec: $code"
  cr=$(tr -d '\r' <"$WORK/part.h" | sed -n 's/^[Cc]ontent-[Rr]ange: bytes \([0-9]*\)-\([0-9]*\)\/.*/\1 \2/p')
  read -r first last <<<"$cr"
  slice "$ROOT/$f" "$first" $((last - first + 1)) >"$WORK/want"
  same_file "$WORK/want" "$WORK/part"
done

note "a file cached in memory and changed: O_DIRECT sees the new bytes"
random_file "$ROOT/d1.bin" 1
[[ $(fetch /d1.bin "$WORK/got") == 200 ]] && same_file "$ROOT/d1.bin" "$WORK/got"

expect_pool_full
stop_server
echo PASS
