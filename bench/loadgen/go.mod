module preflight/bench/loadgen

go 1.19
