// Command echo is an example switchboard plugin that sends text back,
// unchanged or transformed. Start it from a script with spawn() or with
// `switchboard run -spawn examples/plugins/echo`; it dials the socket named by
// SWITCHBOARD_ADDR.
//
// Methods (payload → result):
//
//	Echo    {text}  → {text}            the text unchanged
//	Upper   {text}  → {text}            the text in upper case
//	Reverse {text}  → {text}            the text reversed, rune by rune
//
// The -name flag changes the name the plugin registers under (default
// "echo"), so that several echo plugins can serve one socket.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Message is the argument and the result of every method.
type Message struct {
	Text string `json:"text"`
}

// Echo serves the methods; it has no state.
type Echo struct{}

// Echo returns the message unchanged.
func (Echo) Echo(_ context.Context, in Message) (Message, error) {
	return in, nil
}

// Upper returns the message in upper case.
func (Echo) Upper(_ context.Context, in Message) (Message, error) {
	return Message{Text: strings.ToUpper(in.Text)}, nil
}

// Reverse returns the message reversed, rune by rune.
func (Echo) Reverse(_ context.Context, in Message) (Message, error) {
	r := []rune(in.Text)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return Message{Text: string(r)}, nil
}

func main() {
	name := flag.String("name", "echo", "the `name` to register under")
	flag.Parse()
	if err := plugin.Serve(&Echo{}, &plugin.Info{Name: *name, Version: "1.0.0"}); err != nil {
		fmt.Fprintln(os.Stderr, *name+":", err)
		os.Exit(1)
	}
}
