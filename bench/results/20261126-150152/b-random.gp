set terminal pngcairo size 1000,650 font ",10" noenhanced
set output "/work/main/bench/results/20261126-150152/b-random-cpu-per-io.png"
set title "O_DIRECT random 4 KiB reads: CPU µs per I/O vs queue depth (median, bars: min..max)\none run per depth, e.g. /work/main/build/bench-release/bench/read_qd_bench --file /work/main/build/bench-release/read_qd_direct.bin --\nfile-mib 2048 --qd 1 --block-size 4096 --rounds 5 --prefault-mib 2048 --quiet-wait 10 --ops 20000 --variants l\nib_fixed,lib_unregistered,raw_liburing,fio_fixed,fio_unregistered --direct"
set logscale x 2
set xlabel "queue depth"
set ylabel "CPU µs per I/O"
set grid
set key top right
plot "/work/main/bench/results/20261126-150152/b-random-lib_fixed.dat" using 1:2:3:4 with yerrorlines title "library, registered", "/work/main/bench/results/20261126-150152/b-random-lib_unregistered.dat" using 1:2:3:4 with yerrorlines title "library, unregistered", "/work/main/bench/results/20261126-150152/b-random-raw_liburing.dat" using 1:2:3:4 with yerrorlines title "raw liburing READ_FIXED", "/work/main/bench/results/20261126-150152/b-random-fio_fixed.dat" using 1:2:3:4 with yerrorlines title "fio fixedbufs=1", "/work/main/bench/results/20261126-150152/b-random-fio_unregistered.dat" using 1:2:3:4 with yerrorlines title "fio fixedbufs=0"
