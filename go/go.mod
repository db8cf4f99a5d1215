module polyprof/go

go 1.27
