package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/switchboard-rpc/switchboard/scripting/decl"
)

var typesCommand = &command{
	name:      "types",
	usageLine: "types [flags] [-o FILE] [-lang ts|lua]",
	short:     "write TypeScript or LuaLS declarations for the connected plugins",
	long: `
Types connects as run does (it listens for plugins, starts those of -spawn
and waits for those of -wait), then writes declarations of the script API
with typed calls of every plugin connected at that moment, made from the
methods they describe: a TypeScript .d.ts (-lang ts, the default) or LuaLS
annotations (-lang lua), to stdout or to the file -o names. Then it stops
the plugins it spawned.

A workflow references the .d.ts with one line:

	/// <reference path="./switchboard.d.ts" />

and type-checks with your own tsc (tsc --noEmit); see docs/typescript.md
for the tsconfig.json to use. A call of a plugin or method that was not
connected does not type-check unless the workflow opts in to the generic
signature, as the file's header shows.
`,
	setFlags: func(fs *flag.FlagSet, o *options) {
		setSharedFlags(fs, o)
		fs.StringVar(&o.output, "o", "", "write the declarations to `file` instead of stdout")
		fs.StringVar(&o.declLang, "lang", "ts", "the declarations' `language`: ts (a .d.ts) or lua (LuaLS annotations)")
	},
	run: runTypes,
}

func runTypes(st *state, o *options, args []string) error {
	if len(args) > 0 {
		return usage("types takes no arguments, not %q", args[0])
	}
	write := decl.TypeScript
	switch o.declLang {
	case "ts":
	case "lua":
		write = decl.Lua
	default:
		return usage("-lang must be ts or lua, not %q", o.declLang)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := st.watchSignals(nil, func(os.Signal) { cancel() }, cancel)
	defer sigs.stop()
	sess, err := st.startSession(ctx, o, sigs)
	if err != nil {
		return sigs.status(err)
	}
	infos := sess.sock.Connected(true)
	if err := sess.end(nil); err != nil {
		return sigs.status(err)
	}
	var buf bytes.Buffer
	if err := write(&buf, infos); err != nil {
		return err
	}
	if o.output == "" {
		_, err := st.stdout.Write(buf.Bytes())
		return sigs.status(err)
	}
	if err := os.WriteFile(o.output, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("types: %w", err)
	}
	return sigs.status(nil)
}
