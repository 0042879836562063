// Command kv is an example switchboard plugin: a key-value store in memory,
// safe for concurrent calls, lost when the plugin stops.
//
// Methods (payload → result):
//
//	Set    {key, value} → {key}                   value is any JSON value
//	Get    {key}        → {key, found, value}     value only when found
//	Delete {key}        → {key, found}            found: it was there
//	Keys   (none)       → [key, ...]              sorted
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Entry is the argument of Set.
type Entry struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// Lookup is the result of Get and Delete.
type Lookup struct {
	Key   string `json:"key"`
	Found bool   `json:"found"`
	Value any    `json:"value,omitempty"`
}

// Key is the argument of Get and Delete.
type Key struct {
	Key string `json:"key"`
}

// errNoKey is returned for an empty key.
var errNoKey = errors.New("key is empty")

// Store serves the methods. Its zero value is an empty store.
type Store struct {
	mu   sync.Mutex
	data map[string]any
}

// Set stores value under key, replacing what was there.
func (s *Store) Set(_ context.Context, in Entry) (Key, error) {
	if in.Key == "" {
		return Key{}, errNoKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil {
		s.data = map[string]any{}
	}
	s.data[in.Key] = in.Value
	return Key{Key: in.Key}, nil
}

// Get returns the value stored under key; found is false when there is none.
func (s *Store) Get(_ context.Context, in Key) (Lookup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[in.Key]
	return Lookup{Key: in.Key, Found: ok, Value: v}, nil
}

// Delete removes key; found says whether it was there.
func (s *Store) Delete(_ context.Context, in Key) (Lookup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.data[in.Key]
	delete(s.data, in.Key)
	return Lookup{Key: in.Key, Found: ok}, nil
}

// Keys returns the stored keys, sorted.
func (s *Store) Keys(_ context.Context, _ struct{}) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

func main() {
	if err := plugin.Serve(&Store{}, &plugin.Info{Name: "kv", Version: "1.0.0"}); err != nil {
		fmt.Fprintln(os.Stderr, "kv:", err)
		os.Exit(1)
	}
}
