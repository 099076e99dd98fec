set terminal pngcairo size 1000,650 font ",10" noenhanced
set output "/work/main/bench/results/20261126-150152/d-cpu-per-gib-vs-block-size.png"
set title "CPU seconds per GiB read vs block size, sequential reads, QD 32 (median, bars: min..max)\n/work/main/build/bench-release/bench/read_qd_bench --file /work/main/build/bench-release/read_qd_data.bin --file-mib 256 --qd 32 -\n-block-size 4096,16384,65536,262144,1048576 --rounds 5 --prefault-mib 2048 --quiet-wait 10 --window-mib 512 --variants lib_fixed,l\nib_unregistered --pattern sequential\n/work/main/build/bench-release/bench/read_qd_bench --file /work/main/build/bench-release/read_qd_direct.bin --file-mib 2048 --qd 3\n2 --block-size 4096,16384,65536,262144,1048576 --rounds 5 --prefault-mib 2048 --quiet-wait 10 --window-mib 256 --variants lib_fixe\nd,lib_unregistered --direct --pattern sequential"
set logscale x 2
set logscale y
set xlabel "block size (KiB)"
set ylabel "CPU s / GiB (user + sys of the process)"
set xtics (4, 16, 64, 256, 1024)
set grid
set key top right
files = "/work/main/bench/results/20261126-150152/d-buffered-lib_fixed.dat /work/main/bench/results/20261126-150152/d-buffered-lib_unregistered.dat /work/main/bench/results/20261126-150152/d-direct-lib_fixed.dat /work/main/bench/results/20261126-150152/d-direct-lib_unregistered.dat "
plot for [f in files] f using 1:2:3:4 with yerrorlines title (strstrt(f, "buffered") ? "page cache, " : "O_DIRECT, ") . (strstrt(f, "unregistered") ? "unregistered (READ)" : "registered (READ_FIXED)")
