// Command bench runs the performance suite and prints one table:
// each figure, the baseline measured beside it in the same run, their ratio,
// the target and whether it is met; then calls per second for 1 to 512
// callers and broadcast times for 10 to 4,000 plugins.
//
//	go run ./bench [-rounds 41] [-time 40ms]
//
// Everything runs in this process over loopback TCP. The go test benchmarks
// in socket and scripting measure the same things with the same code
// (bench/benchkit), for -cpuprofile and -benchmem.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/switchboard-rpc/switchboard/bench/benchkit"
	"github.com/switchboard-rpc/switchboard/monitor"
	"github.com/switchboard-rpc/switchboard/socket"
)

func main() {
	// The monitor as -http and -summary install it: metrics, summary,
	// recent calls; no page streaming, no calls file.
	cfg := benchkit.Config{Log: os.Stderr, Observer: func() socket.Observer { return monitor.New(monitor.Config{}) }}
	flag.IntVar(&cfg.Rounds, "rounds", 41, "alternated rounds per comparison; medians are reported")
	flag.DurationVar(&cfg.Time, "time", 40*time.Millisecond, "time per round of each measured figure")
	flag.Parse()
	rows, scaling, err := benchkit.Suite(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("switchboard performance, %s/%s, GOMAXPROCS=%d, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.Version())
	benchkit.Print(os.Stdout, rows)
	fmt.Println()
	benchkit.Print(os.Stdout, scaling)
	for _, r := range rows {
		if !r.Info && !r.Pass {
			os.Exit(2)
		}
	}
}
