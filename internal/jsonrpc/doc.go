// Package jsonrpc reads and writes JSON-RPC 2.0 messages in the two framings
// that JSON-RPC libraries use on a stream: one message per line
// (newline-delimited JSON, as MCP's stdio transport and jsonrpyc) and LSP's
// Content-Length headers (as vscode-jsonrpc and pygls). A Reader learns the
// framing from the first message and keeps it; Append frames a message the
// same way. Every read is bounded: a message by the caller's maximum, a
// header line and the number of headers by fixed limits. docs/jsonrpc.md is
// the protocol switchboard speaks over it.
package jsonrpc
