package brpc

import (
	"encoding/json"
	"errors"

	"github.com/switchboard-rpc/switchboard/socket"
)

// callError turns the socket's error of a call into brpc's: the plugin's
// text as a plain error, "plugin NAME not found", or one of the sentinels
// itself. Errors brpc has no fixed text for stay the socket's *CallError.
func callError(err error) error {
	var remote *socket.RemoteError
	var ce *socket.CallError
	switch {
	case errors.Is(err, socket.ErrMethodNotFound):
		return ErrMethodNotFound
	case errors.Is(err, socket.ErrShutdown):
		return ErrShutdown
	case errors.As(err, &remote):
		return errors.New(remote.Message)
	case errors.Is(err, socket.ErrPluginNotFound) && errors.As(err, &ce):
		return errors.New("plugin " + ce.Plugin + " not found")
	}
	return err
}

// broadcastError returns the error of a broadcast that reached no plugin:
// the socket puts it under "*" as the only entry (a plugin may be called
// "*" too, but its error is never one of these two without a remote
// error).
func broadcastError(failed map[string]error) error {
	err, ok := failed["*"]
	if !ok || len(failed) != 1 {
		return nil
	}
	var remote *socket.RemoteError
	if errors.As(err, &remote) {
		return nil
	}
	switch {
	case errors.Is(err, socket.ErrShutdown):
		return ErrShutdown
	case errors.Is(err, socket.ErrMessageTooLarge):
		return err
	}
	return nil
}

// encode is brpc's encoding of a payload: none for nil, else encoding/json's.
func encode(payload any) ([]byte, error) {
	if payload == nil {
		return nil, nil
	}
	return json.Marshal(payload)
}

// decode is brpc's decoding of a result: nil for none, else encoding/json's.
func decode(b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}
