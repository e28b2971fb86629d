module preflight/e2e

go 1.19
