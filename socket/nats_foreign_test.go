package socket_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/switchboard-rpc/switchboard/socket"
)

// A micro service written with nats.go's micro package alone, following
// docs/nats.md by hand (no code of ours, as a service in another language
// would), is a plugin: described, called, failing with micro's error
// headers, sending async values and answering the token challenge.
func TestNATSForeignMicroService(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL(), socket.WithToken("t0ken"))
	values := make(chan socket.AsyncData, 4)
	defer s.Subscribe(socket.Handlers{Async: func(a socket.AsyncData) { values <- a }})()

	nc := dialNATS(t, ns.ClientURL())
	svc, err := micro.AddService(nc, micro.Config{Name: "calc", Version: "2.1.0",
		Metadata: map[string]string{"switchboard": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Stop()
	id := svc.Info().ID
	add := func(req micro.Request) {
		var in struct{ A, B float64 }
		if err := json.Unmarshal(req.Data(), &in); err != nil {
			_ = req.Error("400", "bad argument: "+err.Error(), nil)
			return
		}
		if in.B == 0 {
			_ = req.Error("500", "b must not be zero", nil)
			return
		}
		_ = nc.Publish("switchboard.out.calc."+id+".async", []byte(`{"added":true}`))
		_ = req.RespondJSON(in.A + in.B)
	}
	desc := `{"name":"Add","input":{"type":"struct","fields":[{"name":"a","type":"float64","mandatory":true},{"name":"b","type":"float64","mandatory":true}]},"output":{"type":"float64"}}`
	if err := svc.AddEndpoint("Add", micro.HandlerFunc(add),
		micro.WithEndpointSubject("switchboard.call.calc."+id+".Add"),
		micro.WithEndpointMetadata(map[string]string{"switchboard.function": desc})); err != nil {
		t.Fatal(err)
	}
	sub, err := nc.Subscribe("switchboard.ctl.calc."+id, func(m *nats.Msg) {
		if m.Header.Get("Switchboard-Control") == "hello" {
			mac := hmac.New(sha256.New, []byte("t0ken"))
			mac.Write(m.Data)
			_ = m.Respond([]byte(hex.EncodeToString(mac.Sum(nil))))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	if !s.WaitFor("calc", deadline) {
		t.Fatal("the foreign service was not registered")
	}
	info := s.PluginInfo("calc")
	if info.Version != "2.1.0" || info.Functions["Add"].Input == nil || len(info.Functions["Add"].Input.Fields) != 2 {
		t.Fatalf("description: %+v", info)
	}
	if out, err := s.Call("", "calc", "Add", map[string]int{"a": 2, "b": 3}); err != nil || out != float64(5) {
		t.Fatalf("Add = %v, %v", out, err)
	}
	a := recv(t, values)
	if a.Name != "calc" || string(a.Raw) != `{"added":true}` {
		t.Fatalf("async value %+v", a)
	}
	_, err = s.Call("", "calc", "Add", map[string]int{"a": 2})
	var re *socket.RemoteError
	if !errors.As(err, &re) || re.Message != "b must not be zero" {
		t.Fatalf("a failing call: %v", err)
	}
}
