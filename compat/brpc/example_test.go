// The two programs of brpc's README (github.com/easysy/brpc, v0.0.19), the
// socket's main as Example_readme and the plugin's main as readmePlugin,
// with only the import path changed. TestReadmeExample runs them.
//
// They are brpc's, under its licence:
//
// Copyright (c) 2024, Easy Systems
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are met:
//
//  1. Redistributions of source code must retain the above copyright notice, this
//     list of conditions and the following disclaimer.
//
//  2. Redistributions in binary form must reproduce the above copyright notice,
//     this list of conditions and the following disclaimer in the documentation
//     and/or other materials provided with the distribution.
//
//  3. Neither the name of the copyright holder nor the names of its
//     contributors may be used to endorse or promote products derived from
//     this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
// AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
// IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
// DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
// FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
// DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
// SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
// CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
// OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

package brpc_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/switchboard-rpc/switchboard/compat/brpc"
)

// Example_readme is the socket of brpc's README. It has no Output comment
// because it prints the address of a PluginInfo ("List: map[name:0xc...]"),
// and needs the plugin of readmePlugin: TestReadmeExample runs both and
// checks what it prints.
func Example_readme() {
	lis, err := net.Listen("tcp", ":8080")
	if err != nil {
		panic(err)
	}

	s := new(brpc.Socket)
	s.Serve(lis)
	s.RegisterCallback(func(info *brpc.PluginInfo, graceful bool) {
		fmt.Printf("Callback: plugin %s disconnected, gracefully: '%v'\n", info.Name, graceful)
	})

	// Read async messages
	go func() {
		for {
			async, e := s.Async()
			if e != nil {
				return
			}
			fmt.Println("Async:", async)
		}
	}()

	pn := "your_plugin_name"

	// Wait for your plugin to be connected
	if !s.WaitFor(pn, time.Second*30) {
		panic(pn + "not connected before timeout")
	}

	var resp any
	if resp, err = s.Call("", pn, "ExampleMethod", nil); err != nil {
		panic(err)
	}

	fmt.Println("Response:", resp)

	// Get a list of connected plugins
	fmt.Println("List:", s.Connected(false))

	// If you need, you can stop any plugin
	s.Unplug("1", pn)

	fmt.Println("List:", s.Connected(false))

	// Shutdown the socket
	if err = s.Shutdown("2"); err != nil {
		panic(err)
	}
}

type Plugin struct {
	hook chan any
}

func (p *Plugin) UseAsyncHook(hook chan any) {
	p.hook = hook
}

func (p *Plugin) ExampleMethod(_ context.Context, _ struct{}) (string, error) {
	p.hook <- "ExampleMethod started"
	time.Sleep(time.Second * 5)
	p.hook <- "ExampleMethod ended"
	return "Message", nil
}

// readmePlugin is the plugin of brpc's README.
func readmePlugin() {
	conn, err := net.Dial("tcp", "127.0.0.1:8080")
	if err != nil {
		panic(err)
	}

	p := new(brpc.Plugin)
	info := new(brpc.PluginInfo)
	info.Name = "your_plugin_name" // The name must be unique for each plugin
	info.Version = "your_plugin_version"
	if err = p.Start(new(Plugin), info, conn, ""); err != nil {
		panic(err)
	}
}
