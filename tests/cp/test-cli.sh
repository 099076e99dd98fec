# Command line: --help, --version, usage errors exit 1 with a hint.
#   bash test-cli.sh URING_CP
source "$(dirname "$0")/lib.sh"

run 0 --help
expect_out "--method"
expect_out "--queue-depth"
run 0 --version
expect_out "uring-cp "
run 1 onlyone
expect_err "missing destination file operand after 'onlyone'"
expect_err "Try 'uring-cp --help'"
run 1 --bogus a b
expect_err "Try 'uring-cp --help'"
run 1 --method=warp a b
expect_err "Try 'uring-cp --help'"
run 1 --direct --method=kernel a b
expect_err "--direct cannot be used with --method=kernel"
run 1 --direct --block-size=6000 a b
expect_err "multiple of 4 KiB"
run 1 --queue-depth=0 a b
run 0 --help
expect_out "--preserve"
expect_out "--no-target-directory"
expect_out "--parents"
note "attribute lists: cp's names, an unknown one named in the error"
run 1 --preserve=mode,foo a b
expect_err "invalid argument 'foo' for '--preserve'"
expect_err "Valid arguments are:"
run 1 --no-preserve=bar a b
expect_err "invalid argument 'bar' for '--no-preserve'"
run 1 -t "$WORK" -T a
expect_err "cannot combine --target-directory (-t) and --no-target-directory (-T)"
note "a bare --preserve takes no list: the next word is an operand"
echo data >"$WORK/in"
run 0 --preserve "$WORK/in" "$WORK/out-file"
same_file "$WORK/in" "$WORK/out-file"
echo PASS
