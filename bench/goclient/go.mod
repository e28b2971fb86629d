module preflight/bench/goclient

go 1.19
