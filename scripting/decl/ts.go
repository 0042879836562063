package decl

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting"
)

// codes lists the error codes of the script API, in the order the docs
// give them: the values of a failed call's code.
func codes() []string {
	return []string{
		scripting.CodeNotConnected, scripting.CodeExited, scripting.CodeMethodNotFound,
		scripting.CodeRemote, scripting.CodePanic, scripting.CodeTimeout,
		scripting.CodeCanceled, scripting.CodeDisconnected, scripting.CodeShutdown,
		scripting.CodeBadArgument, scripting.CodeBadResponse, scripting.CodeError,
	}
}

// TypeScript writes to w a .d.ts declaring every global of the JavaScript
// script API, with overloads of call and callAsync for each method of
// plugins (by name, as connected() returns them). A call of a plugin or
// method not among them does not type-check, unless the workflow adds the
// generic signature itself (docs/typescript.md). The output depends only
// on plugins.
// It blocks only on w.
func TypeScript(w io.Writer, plugins map[string]*plugin.Info) error {
	bw := bufio.NewWriter(w)
	names := sortedPlugins(plugins)
	bw.WriteString(tsHeader)
	if len(names) == 0 {
		bw.WriteString("//\n// No plugin was connected: every call type-checks only against a\n// signature the workflow adds.\n")
	}
	for _, name := range names {
		info := plugins[name]
		fmt.Fprintf(bw, "//   %s %s: %s\n", sanitize(name), sanitize(info.Version), sanitize(strings.Join(sortedMethods(info), ", ")))
	}
	bw.WriteString(tsOptIn)
	bw.WriteString("\ndeclare namespace Switchboard {\n")
	bw.WriteString(strings.Replace(tsNamespace, "{{codes}}", codeUnion("    | "), 1))
	writeTSPlugins(bw, plugins, names)
	bw.WriteString("}\n")
	writeTSCalls(bw, plugins, names)
	bw.WriteString(tsGlobals)
	return bw.Flush()
}

// writeTSPlugins writes the interface Plugins: for each plugin, each
// method's input and output types.
func writeTSPlugins(w *bufio.Writer, plugins map[string]*plugin.Info, names []string) {
	w.WriteString("\n  /** The plugins connected when these declarations were made: their methods' payload (input) and result (output) types. */\n")
	w.WriteString("  interface Plugins {\n")
	for _, name := range names {
		info := plugins[name]
		fmt.Fprintf(w, "    %s: {\n", quote(name))
		for _, m := range sortedMethods(info) {
			f := info.Functions[m]
			fmt.Fprintf(w, "      %s: { input: %s; output: %s };\n", quote(m),
				tsType(shapeOf(f.Input), true), tsType(shapeOf(f.Output), false))
		}
		w.WriteString("    };\n")
	}
	w.WriteString("  }\n")
	w.WriteString(`
  /** The names of the plugins in Plugins. */
  type PluginName = keyof Plugins;
  /** The payload type of a method: Input<"echo", "Upper">. */
  type Input<P extends PluginName, M extends keyof Plugins[P]> = Plugins[P][M] extends { input: infer I } ? I : never;
  /** The result type of a method: Output<"echo", "Upper">. */
  type Output<P extends PluginName, M extends keyof Plugins[P]> = Plugins[P][M] extends { output: infer O } ? O : never;
  /** The names of a plugin's methods. */
  type MethodName<P extends PluginName> = Extract<keyof Plugins[P], string>;
  /** The payload and options of a call: the payload may be left out when nothing in it is mandatory. */
  type CallArgs<P extends PluginName, M extends MethodName<P>> = {} extends Input<P, M>
    ? [payload?: Input<P, M>, opts?: CallOptions]
    : [payload: Input<P, M>, opts?: CallOptions];
`)
}

// writeTSCalls writes the overloads of call and callAsync, one per method.
func writeTSCalls(w *bufio.Writer, plugins map[string]*plugin.Info, names []string) {
	type sig struct{ doc, params, out string }
	var sigs []sig
	for _, name := range names {
		info := plugins[name]
		for _, m := range sortedMethods(info) {
			f := info.Functions[m]
			in, out := shapeOf(f.Input), shapeOf(f.Output)
			payload := "payload: " + tsType(in, true)
			if allOptional(in) {
				payload = "payload?: " + tsType(in, true)
			}
			sigs = append(sigs, sig{
				doc:    sanitize(name) + "." + sanitize(m),
				params: fmt.Sprintf("plugin: %s, method: %s, %s, opts?: Switchboard.CallOptions", quote(name), quote(m), payload),
				out:    tsType(out, false),
			})
		}
	}
	w.WriteString("\n")
	for _, s := range sigs {
		fmt.Fprintf(w, "/** Calls %s and waits for its answer; a failure throws a Switchboard.CallError. */\n", s.doc)
		fmt.Fprintf(w, "declare function call(%s): %s;\n", s.params, s.out)
	}
	w.WriteString(tsCallLast)
	for _, s := range sigs {
		fmt.Fprintf(w, "/** Calls %s without blocking; the promise rejects with a Switchboard.CallError. */\n", s.doc)
		fmt.Fprintf(w, "declare function callAsync(%s): Promise<%s>;\n", s.params, s.out)
	}
	w.WriteString(tsCallAsyncLast)
}

// The last overloads of call and callAsync cover the same calls as the
// ones before them, from Switchboard.Plugins: when no overload matches,
// tsc reports the last one's error, which then names the method or the
// field at fault instead of a plugin name another overload wanted.
const (
	tsCallLast = `/** Calls a method of a plugin in Switchboard.Plugins and waits for its answer. */
declare function call<P extends Switchboard.PluginName, M extends Switchboard.MethodName<P>>(plugin: P, method: M, ...args: Switchboard.CallArgs<P, M>): Switchboard.Output<P, M>;
`
	tsCallAsyncLast = `/** Calls a method of a plugin in Switchboard.Plugins without blocking. */
declare function callAsync<P extends Switchboard.PluginName, M extends Switchboard.MethodName<P>>(plugin: P, method: M, ...args: Switchboard.CallArgs<P, M>): Promise<Switchboard.Output<P, M>>;
`
)

// tsType renders s as a TypeScript type; input types accept anything where
// the description says nothing (unknown), output types give any for "any".
func tsType(s *shape, input bool) string {
	if s == nil {
		return "unknown"
	}
	switch s.kind {
	case arrayShape:
		elem := tsType(s.elem, input)
		if strings.ContainsAny(elem, " |&") && !strings.HasPrefix(elem, "{") {
			elem = "(" + elem + ")"
		}
		return elem + "[]"
	case mapShape:
		return "Record<string, " + tsType(s.elem, input) + ">"
	case objectShape:
		if len(s.fields) == 0 {
			if input {
				return "Record<string, unknown>"
			}
			return "Record<string, any>"
		}
		var b strings.Builder
		b.WriteString("{ ")
		for i, f := range s.fields {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(propertyName(f.Name))
			if !f.Mandatory {
				b.WriteString("?")
			}
			b.WriteString(": ")
			b.WriteString(tsType(shapeOf(&f), input))
		}
		b.WriteString(" }")
		return b.String()
	}
	switch scalarKind(s.scalar) {
	case "string":
		return "string"
	case "number":
		return "number"
	case "boolean":
		return "boolean"
	case "any":
		if input {
			return "unknown"
		}
		return "any"
	}
	return "unknown"
}

const tsHeader = `// Code generated by "switchboard types"; DO NOT EDIT.
//
// The script API of switchboard for TypeScript workflows, with typed calls
// of the plugins that were connected when it was made:
`

const tsOptIn = `//
// Use it from a workflow with a reference to this file, or list it in
// tsconfig.json's "files":
//
//   /// <reference path="./switchboard.d.ts" />
//
// A call of another plugin or method does not type-check. To let such
// calls through, untyped, a workflow opts in with the generic signature:
//
//   declare global {
//     function call(plugin: string, method: string, payload?: unknown, opts?: Switchboard.CallOptions): any;
//     function callAsync(plugin: string, method: string, payload?: unknown, opts?: Switchboard.CallOptions): Promise<any>;
//   }
//   export {};
`

const tsNamespace = `  /** The code of a failed call's error. */
  type Code =
{{codes}};

  /** The Error a failed call throws (callAsync rejects with it). */
  interface CallError extends Error {
    /** The plugin called; "" for a broadcast or a failure not about a call. */
    plugin: string;
    /** The method called; "" when the failure is not about a method. */
    method: string;
    code: Code;
  }

  /** The options of a call, a callAsync or a broadcast. */
  interface CallOptions {
    /** Milliseconds, or a Go duration such as "1.5s"; none waits as long as the plugin takes. */
    timeout?: number | string;
    /** The trace id sent with the request. */
    trace?: string;
    /** false lets through payload fields the method's description lacks. */
    checkFields?: boolean;
  }

  /** What broadcast returns: each plugin's result, or its error's message. */
  interface BroadcastResult<T = any> {
    results: Record<string, T>;
    errors: Record<string, string>;
  }

  /** How a plugin describes a type (see the plugin protocol). */
  interface Entity {
    name?: string;
    type?: string;
    mandatory?: boolean;
    fields?: Entity[];
  }

  /** How a plugin describes one method. */
  interface FunctionInfo {
    name?: string;
    input?: Entity;
    output?: Entity;
  }

  /** A plugin's description, as info(), connected(true) and onConnect give it. */
  interface Info<M extends string = string> {
    name: string;
    version?: string;
    functions?: { [method in M]?: FunctionInfo };
  }

  /** The options of spawn. */
  interface SpawnOptions {
    dir?: string;
    env?: Record<string, string>;
    /** The name the plugin registers under, for waitFor and exit reports. */
    name?: string;
    restart?: "never" | "on-failure";
    /** With restart "on-failure": at most this many restarts (0, no bound). */
    maxRestarts?: number;
  }

  /** The handle spawn returns. */
  interface Process {
    readonly pid: number;
    readonly name: string;
    /** Waits for the process to end; returns its exit status. */
    wait(): number;
    kill(): void;
  }

  /** The console of the script API. */
  interface Console {
    log(...values: any[]): void;
    info(...values: any[]): void;
    warn(...values: any[]): void;
    error(...values: any[]): void;
    debug(...values: any[]): void;
  }
`

const tsGlobals = `
/** Sends the request to every connected plugin, in parallel, and waits for all answers. */
declare function broadcast<T = any>(method: string, payload?: unknown, opts?: Switchboard.CallOptions): Switchboard.BroadcastResult<T>;
/** broadcast without blocking. */
declare function broadcastAsync<T = any>(method: string, payload?: unknown, opts?: Switchboard.CallOptions): Promise<Switchboard.BroadcastResult<T>>;
/** Calls fn for every async value a plugin sends; returns a function that unsubscribes. */
declare function onAsync(fn: (plugin: string, payload: any) => void): () => void;
/** Calls fn when a plugin completes its handshake; returns a function that unsubscribes. */
declare function onConnect(fn: (info: Switchboard.Info) => void): () => void;
/** Calls fn when a plugin goes away (graceful after a stop request); returns a function that unsubscribes. */
declare function onDisconnect(fn: (info: Switchboard.Info, graceful: boolean) => void): () => void;
/** Waits until the plugin is connected: true, or false when the timeout (ms or "1.5s") passes. */
declare function waitFor(plugin: Switchboard.PluginName | (string & {}), timeout?: number | string): boolean;
/** The connected plugins by name; with full, their methods too. */
declare function connected(full?: boolean): { [P in Switchboard.PluginName]?: Switchboard.Info<Extract<keyof Switchboard.Plugins[P], string>> } & { [name: string]: Switchboard.Info | undefined };
/** One connected plugin's full description, or null. */
declare function info<P extends Switchboard.PluginName>(plugin: P): Switchboard.Info<Extract<keyof Switchboard.Plugins[P], string>> | null;
declare function info(plugin: string): Switchboard.Info | null;
/** Asks one plugin to stop. */
declare function unplug(plugin: string): void;
/** Starts a plugin program as a child process with the socket's address and token in its environment. */
declare function spawn(command: string, args?: string[], opts?: Switchboard.SpawnOptions): Switchboard.Process;
/** Pauses the script (ms or "1.5s"); events are handled meanwhile. */
declare function sleep(duration: number | string): void;
/** How many events this script lost past the queue's bound. */
declare function dropped(): number;
/** Keeps the script alive, handling events, until exit(), a signal or host shutdown. */
declare function serve(): void;
/** Ends the script and the host with that exit status. */
declare function exit(code?: number): never;
declare function setTimeout<A extends any[]>(fn: (...args: A) => void, ms?: number, ...args: A): number;
declare function setInterval<A extends any[]>(fn: (...args: A) => void, ms?: number, ...args: A): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
/** require() of a local CommonJS module, or a built-in one ("util", "console"). */
declare function require(id: string): any;
/** The arguments after the script on the command line. */
declare const args: string[];
declare const console: Switchboard.Console;
`

// codeUnion is the union of the codes, one a line after prefix.
func codeUnion(prefix string) string {
	cs := codes()
	for i, c := range cs {
		cs[i] = prefix + quote(c)
	}
	return strings.Join(cs, "\n")
}
