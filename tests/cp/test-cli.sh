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
echo PASS
