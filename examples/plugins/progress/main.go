// Command progress is an example switchboard plugin that runs a job in steps
// and reports each step as an async value before it answers, so a script
// sees the progress through onAsync first and the result last.
//
// Methods (payload → result):
//
//	Run {job, steps, delay_ms} → {job, steps}
//
// Every step sends the async value {job, step, of}; steps defaults to 3 and
// delay_ms (the pause before each step) to 50. A cancelled call stops at the
// next step.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Job is the argument of Run.
type Job struct {
	Job     string `json:"job"`
	Steps   int    `json:"steps,omitempty"`
	DelayMS int    `json:"delay_ms,omitempty"`
}

// Step is the async value sent for every step of a job.
type Step struct {
	Job  string `json:"job"`
	Step int    `json:"step"`
	Of   int    `json:"of"`
}

// Done is the result of Run.
type Done struct {
	Job   string `json:"job"`
	Steps int    `json:"steps"`
}

// Progress serves Run; it has no state.
type Progress struct{}

// Run works through the job's steps, pausing delay_ms before each and
// reporting it with plugin.Notify, which orders the report before the answer.
func (Progress) Run(ctx context.Context, in Job) (Done, error) {
	steps, delay := in.Steps, in.DelayMS
	if steps <= 0 {
		steps = 3
	}
	if delay <= 0 {
		delay = 50
	}
	for i := 1; i <= steps; i++ {
		select {
		case <-ctx.Done():
			return Done{}, fmt.Errorf("job %q stopped at step %d of %d: %w", in.Job, i, steps, ctx.Err())
		case <-time.After(time.Duration(delay) * time.Millisecond):
		}
		if err := plugin.Notify(ctx, Step{Job: in.Job, Step: i, Of: steps}); err != nil {
			return Done{}, fmt.Errorf("reporting step %d: %w", i, err)
		}
	}
	return Done{Job: in.Job, Steps: steps}, nil
}

func main() {
	if err := plugin.Serve(&Progress{}, &plugin.Info{Name: "progress", Version: "1.0.0"}); err != nil {
		fmt.Fprintln(os.Stderr, "progress:", err)
		os.Exit(1)
	}
}
