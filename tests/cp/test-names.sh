# Hostile names: spaces, newlines, leading dashes (after --), bytes that are
# not UTF-8, terminal escapes, names of 255 bytes; messages quote them so
# that nothing raw reaches the terminal and bash reads the quoted form back
# as the same name; a tree deeper than PATH_MAX is copied whole.
#   bash test-names.sh URING_CP METHOD
source "$(dirname "$0")/lib.sh"
method=${1:?method}
cd "$WORK"

long=$(printf 'L%.0s' $(seq 1 255))
longdir=$(printf 'D%.0s' $(seq 1 255))
names=("with space" $'new\nline' "-dash" $'bad\xff\xfe' $'esc\e[31mred' $'tab\there' \
  "it's \"both\" \$x" "trailing space " "*glob?[x]" "ünïcödé" "$long")
mkdir -p src/"$longdir"
for n in "${names[@]}"; do random_file "src/$n" 5000; done
random_file "src/$longdir/$long" 70000
mkdir src/$'dir\nwith\nnewlines'
random_file src/$'dir\nwith\nnewlines'/-x 3000
ln -s $'new\nline' src/$'link\x01'

note "a tree of hostile names"
run 0 -r --method="$method" src dst
same_tree src dst
no_temporaries dst

note "leading dashes as operands after --"
run 0 --method="$method" -- src/-dash -dash-copy
same_file src/-dash -dash-copy
cp -- src/-dash -dash
run 0 --method="$method" -- -dash -dash-copy2
same_file -dash -dash-copy2
mkdir into
run 0 --method="$method" -- -dash "src/$long" into
same_file -dash into/-dash
same_file "src/$long" "into/$long"

# quoted_name PREFIX : the quoted name after PREFIX in the last run's
# one-line stderr, up to ': '.
quoted_name() {
  local line
  line=$(cat "$WORK/err")
  line=${line#"$1"}
  printf '%s' "${line%: No such file or directory}"
}
# round_trip NAME : the message about a missing NAME is one line, has no
# control bytes, and its quoted name reads back in bash as NAME.
round_trip() {
  local name=$1 q back
  run 1 --method="$method" "$name" nowhere
  [[ $(wc -l <"$WORK/err") == 1 ]] || fail "the message about $(printf %q "$name") spans lines"
  LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/err" &&
    fail "raw control bytes in: $(cat -v "$WORK/err")"
  q=$(quoted_name "uring-cp: cannot stat ")
  eval "back=$q"
  [[ $back == "$name" ]] || fail "$q reads back as $(printf %q "$back"), not $(printf %q "$name")"
}

note "messages: quoted so that they stay on one line and read back"
for n in $'missing\nnewline' $'missing\xff\xfe' $'missing\e[2J\e[31m' $'missing\r' \
  $'it\'s\n' "plain name" "it's" $'caf\xc3\xa9' $'c1\xc2\x9b[31m' $'over\xc0\xafl'; do
  round_trip "$n"
done
run 1 --method="$method" $'a\nb' nowhere
expect_err "uring-cp: cannot stat 'a'\$'\\n''b': No such file or directory"
run 1 --method="$method" $'x\xff\e[31m' nowhere
expect_err "uring-cp: cannot stat 'x'\$'\\377\\033''[31m': No such file or directory"

note "-v lists hostile names one per line, without raw control bytes"
run 0 -v -r --method="$method" src dst2
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/out" &&
  fail "raw control bytes in -v output: $(cat -v "$WORK/out")"
bad=$(grep -vE "^(['\"$]|method: |pipeline: |copied )" "$WORK/out" || true)
[[ -z $bad ]] || fail "-v output has lines that are not messages: $bad"
same_tree src dst2

note "a tree deeper than PATH_MAX: copied whole (test-deep-paths.sh has more)"
part=$(printf 'd%.0s' $(seq 1 200))
mkdir deep
random_file deep/top 3000
(
  cd deep
  for i in $(seq 1 24); do # 24 * 201 bytes > 4096
    mkdir "$part"
    cd "$part"
  done
  echo bottom >leaf
)
run 0 -r --method="$method" deep deepcopy
same_file deep/top deepcopy/top
(
  cd deepcopy
  for i in $(seq 1 24); do cd "$part"; done
  [[ $(cat leaf) == bottom ]] || fail "the leaf beyond PATH_MAX was not copied"
) || exit 1
echo PASS
