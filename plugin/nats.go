package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/switchboard-rpc/switchboard/internal/natswire"
	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// natsServer is what a Plugin started with StartNATS keeps: the micro
// service, the control subscriptions and the requests in flight. Its mu
// guards stopping and inflight.
type natsServer struct {
	p   *Plugin
	nc  *nats.Conn
	svc micro.Service
	id  string

	mu       sync.Mutex
	stopping bool
	inflight map[string]*callCtx // by reply subject
	calls    sync.WaitGroup
	stop     chan struct{} // closed once a stop is asked for
	stopOnce sync.Once
	hook     chan any      // nil without an async hook
	hookDone chan struct{} // closed when the hook's forwarder has returned
	flush    chan chan struct{}
	quit     chan struct{}
	ready    chan struct{}        // closed once the service exists: the hook's values may go
	subs     []*nats.Subscription // the control subscriptions
	workers  workers[natsJob]     // serve the requests the handlers hand out
}

var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// StartNATS serves v as a NATS micro service on nc, instead of over a
// connection to one socket, and blocks until a host asks the plugin to
// stop (unplug), the plugin calls Stop, or nc closes. Any number of hosts
// on the same NATS system can then call it, and any number of instances
// of one plugin may serve side by side: docs/nats.md has the conventions.
//
// v is inspected as by Start. The service is named info.Name (letters,
// digits, '-' and '_' only: NATS subjects and micro names allow no more)
// with info.Version (micro needs a semantic version; any other is
// announced as 0.0.0 and kept in the metadata), one endpoint per method
// whose metadata describes it. The token (WithToken) is what a host
// configured with one checks, through a challenge, before it registers
// the instance. Requests are served concurrently, each on a goroutine of
// its own, except those of the methods WithNATSInline names. Async
// values, from the hook or Notify, are published in order on the
// instance's async subject.
//
// StartNATS returns nil after a stop, an error wrapping ErrDisconnected
// when nc closes first, and ErrInvalidInfo, ErrNoMethods or
// ErrReservedMethod as Start does. It does not close nc.
func (p *Plugin) StartNATS(v any, info *Info, nc *nats.Conn) error {
	if info == nil || !natswire.ValidName(info.Name) {
		return fmt.Errorf("%w: a NATS plugin needs a name of letters, digits, '-' and '_'", ErrInvalidInfo)
	}
	if nc == nil {
		return fmt.Errorf("%w: nil NATS connection", ErrInvalidOption)
	}
	methods, hasHook, skipped, err := discover(v)
	if err != nil {
		return err
	}
	for _, name := range p.cfg.natsInline {
		if methods.lookup(name) == nil {
			return fmt.Errorf("plugin: %w: WithNATSInline names %s, which is not a method served", ErrInvalidOption, name)
		}
	}
	ns := &natsServer{p: p, nc: nc, inflight: map[string]*callCtx{}, stop: make(chan struct{})}
	ns.workers = newWorkers[natsJob](ns)
	p.mu.Lock()
	if p.state != stateNew {
		p.mu.Unlock()
		return errors.New("plugin: Start called twice")
	}
	p.state = stateServing
	p.cfg = p.cfg.withDefaults()
	p.methods, p.name, p.hasHook, p.nats = methods, info.Name, hasHook, ns
	p.ended = make(chan struct{})
	p.done = make(chan struct{})
	p.log = p.cfg.log.With("plugin", info.Name, "transport", "nats")
	p.mu.Unlock()
	defer close(p.ended)
	for _, sk := range skipped {
		p.log.Warn("method not served: "+sk.String(), "method", sk.name)
	}
	closed := nc.StatusChanged(nats.CLOSED)
	defer nc.RemoveStatusListener(closed)
	reconnected := nc.StatusChanged(nats.CONNECTED) // after a reconnection: it was connected before
	defer nc.RemoveStatusListener(reconnected)
	// The receiver has its hook before any request can reach it; what it
	// puts there waits until the service (and its subject) exists.
	if hasHook {
		ns.startHook(v)
	}
	if err := ns.open(info); err != nil {
		ns.abandon() // a request may have come before open failed
		return err
	}
	if hasHook {
		close(ns.ready)
	}
	p.log.Info("serving over NATS", "id", ns.id)
	for {
		select {
		case <-ns.stop:
			ns.drain(info.Name)
			return nil
		case <-closed:
			ns.abandon()
			return fmt.Errorf("%w: the NATS connection closed", ErrDisconnected)
		case <-reconnected:
			// Requests routed to the server that went may be lost: the
			// hosts fail those they still wait for (after the answers
			// buffered meanwhile, which went out first).
			p.log.Warn("NATS connection made again", "server", nc.ConnectedUrlRedacted())
			_ = nc.Publish(natswire.ResetSubject(info.Name, ns.id), nil)
		}
	}
}

// open adds the micro service, its endpoints and the control subscriptions.
func (ns *natsServer) open(info *Info) error {
	p := ns.p
	meta := map[string]string{natswire.MetaProtocol: natswire.ProtocolVersion}
	if host, err := os.Hostname(); err == nil {
		meta[natswire.MetaWhere] = host + ":" + strconv.Itoa(os.Getpid())
	}
	version := info.Version
	if !semver.MatchString(version) {
		meta[natswire.MetaVersion] = version
		version = "0.0.0"
	}
	svc, err := micro.AddService(ns.nc, micro.Config{Name: info.Name, Version: version, Metadata: meta,
		Description: "a switchboard plugin"})
	if err != nil {
		return fmt.Errorf("plugin: adding the NATS service: %w", err)
	}
	ns.svc = svc
	ns.id = svc.Info().ID
	for name, f := range functions(p.methods, info.Functions) {
		desc, err := json.Marshal(f)
		if err != nil {
			_ = svc.Stop()
			return fmt.Errorf("plugin: describing %s: %w", name, err)
		}
		_, inline := slices.BinarySearch(p.cfg.natsInline, name)
		err = svc.AddEndpoint(name, ns.handler(name, inline),
			micro.WithEndpointSubject(natswire.CallSubject(info.Name, ns.id, name)),
			micro.WithEndpointMetadata(map[string]string{natswire.MetaFunction: string(desc)}))
		if err != nil {
			_ = svc.Stop()
			return fmt.Errorf("plugin: adding the endpoint %s: %w", name, err)
		}
	}
	for _, subj := range []string{natswire.CtlSubject(info.Name, ns.id), natswire.CtlAllSubject(info.Name)} {
		sub, err := ns.nc.Subscribe(subj, ns.control)
		if err != nil {
			ns.unsubscribe()
			_ = svc.Stop()
			return fmt.Errorf("plugin: subscribing to %s: %w", subj, err)
		}
		ns.subs = append(ns.subs, sub)
	}
	// Everything is subscribed before a host can see the service.
	if err := ns.nc.Flush(); err != nil {
		ns.unsubscribe()
		_ = svc.Stop()
		return fmt.Errorf("%w: %w", ErrDisconnected, err)
	}
	return nil
}

// handler hands the requests of one method to workers, each on a
// goroutine of its own: micro calls it on the endpoint subscription's one
// goroutine, which a slow method must not hold up. An inline method
// (WithNATSInline) is served on that goroutine instead.
func (ns *natsServer) handler(method string, inline bool) micro.HandlerFunc {
	return func(req micro.Request) {
		ns.mu.Lock()
		if ns.stopping {
			ns.mu.Unlock()
			_ = req.Error(natswire.ErrorCode, wire.TextShutdown, nil)
			return
		}
		// The method's context is the one the gob path gives it: the
		// plugin and the trace in it, for Notify and WithContextKey.
		cc := &callCtx{info: callInfo{plugin: ns.p, trace: req.Headers().Get(natswire.HeaderTrace)}, key: ns.p.cfg.ctxKey}
		reply := req.Reply()
		if reply != "" {
			ns.inflight[reply] = cc
		}
		ns.calls.Add(1)
		ns.mu.Unlock()
		if inline {
			ns.serve(cc, method, req, true)
			return
		}
		ns.workers.hand(natsJob{cc: cc, method: method, req: req})
	}
}

// natsJob is one request handed to a worker.
type natsJob struct {
	cc     *callCtx // the request's context, cancelled once it is answered
	method string
	req    micro.Request
}

// serveJob serves a request a worker took. Workers are reused under
// load, as the gob connection's are: a request costs no goroutine start
// and no stack growth (half the cost of a call at 64 callers, measured).
func (ns *natsServer) serveJob(j natsJob) { ns.serve(j.cc, j.method, j.req, false) }

// stopWorkers ends the idle workers, once no request is in flight (none
// can be handed out any more: stopping is set) and waits for them.
func (ns *natsServer) stopWorkers() {
	ns.workers.close()
	ns.workers.wait()
}

// serve runs one request and answers it; inline says it runs inside
// micro's handler.
func (ns *natsServer) serve(cc *callCtx, method string, req micro.Request, inline bool) {
	defer ns.calls.Done()
	reply := req.Reply()
	env := wire.Envelope{Trace: cc.info.trace, Method: method, Payload: req.Data()}
	buf := resultBufs.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxPooledResult {
			resultBufs.Put(buf) // Publish has copied the answer into the connection's buffer
		}
	}()
	resp := ns.p.serve(cc, &env, buf)
	ns.mu.Lock()
	delete(ns.inflight, reply)
	ns.mu.Unlock()
	canceled := cc.Err() != nil
	cc.cancel()
	if canceled || reply == "" {
		return // nobody waits for it
	}
	// A worker's answer is published here, not through req's methods:
	// micro reads what those record once the handler has returned, which
	// it has long done (its stats count no errors for such a method). An
	// inline method's error goes through req, and micro counts it.
	if resp.Error != "" {
		ns.respondError(req, inline, resp.Error)
		return
	}
	if err := ns.nc.Publish(reply, resp.Payload); err != nil {
		msg := fmt.Sprintf("result of %s not sent: %v", method, err)
		if errors.Is(err, nats.ErrMaxPayload) {
			msg = fmt.Sprintf("result of %s is %d bytes, past the NATS server's max_payload of %d",
				method, len(resp.Payload), ns.nc.MaxPayload())
		}
		ns.p.log.Warn("answer not sent", "method", method, "err", err)
		ns.respondError(req, inline, msg)
	}
}

// respondError answers a request with micro's error headers, through req
// when inline says micro's handler is still running.
func (ns *natsServer) respondError(req micro.Request, inline bool, msg string) {
	if msg == "" {
		msg = "error" // micro's header may not be empty
	}
	if inline {
		if err := req.Error(natswire.ErrorCode, msg, nil); err != nil {
			ns.p.log.Debug("error answer not sent", "err", err)
		}
		return
	}
	err := ns.nc.PublishMsg(&nats.Msg{Subject: req.Reply(), Header: nats.Header{
		micro.ErrorHeader:     []string{msg},
		micro.ErrorCodeHeader: []string{natswire.ErrorCode},
	}})
	if err != nil {
		ns.p.log.Debug("error answer not sent", "err", err)
	}
}

// control handles the control messages of this instance and of every
// instance of its name.
func (ns *natsServer) control(m *nats.Msg) {
	switch m.Header.Get(natswire.HeaderControl) {
	case natswire.ControlHello:
		proof := ""
		if ns.p.cfg.token != "" {
			proof = natswire.Proof(ns.p.cfg.token, m.Data)
		}
		_ = m.Respond([]byte(proof))
	case natswire.ControlStop:
		ns.p.log.Debug("stop requested", "trace", m.Header.Get(natswire.HeaderTrace))
		ns.beginStop()
	case natswire.ControlCancel:
		ns.mu.Lock()
		if cc := ns.inflight[m.Header.Get(natswire.HeaderCancel)]; cc != nil {
			cc.cancel()
		}
		ns.mu.Unlock()
	}
}

func (ns *natsServer) beginStop() { ns.stopOnce.Do(func() { close(ns.stop) }) }

// drain stops taking requests, lets those in flight finish and answer,
// sends what the hook holds, says the instance is gone and returns.
func (ns *natsServer) drain(name string) {
	ns.mu.Lock()
	ns.stopping = true
	ns.mu.Unlock()
	if err := ns.svc.Stop(); err != nil {
		ns.p.log.Debug("stopping the NATS service", "err", err)
	}
	ns.calls.Wait()
	ns.stopWorkers()
	ns.stopHook(true)
	close(ns.p.done)
	ns.unsubscribe()
	_ = ns.nc.Publish(natswire.GoneSubject(name, ns.id), nil)
	_ = ns.nc.Flush()
	ns.p.log.Info("stopped")
}

// abandon cancels what is in flight, once the connection has closed.
func (ns *natsServer) abandon() {
	ns.mu.Lock()
	ns.stopping = true
	for _, cc := range ns.inflight {
		cc.cancel()
	}
	ns.mu.Unlock()
	if ns.svc != nil {
		_ = ns.svc.Stop()
	}
	ns.unsubscribe()
	ns.calls.Wait()
	ns.stopWorkers()
	close(ns.p.done)
	ns.stopHook(false)
}

func (ns *natsServer) unsubscribe() {
	for _, sub := range ns.subs {
		_ = sub.Unsubscribe()
	}
	ns.subs = nil
}

// startHook gives v its async hook and forwards what it receives.
func (ns *natsServer) startHook(v any) {
	ns.hook = make(chan any)
	ns.hookDone, ns.flush, ns.quit = make(chan struct{}), make(chan chan struct{}), make(chan struct{})
	ns.ready = make(chan struct{})
	go func() {
		defer close(ns.hookDone)
		select {
		case <-ns.ready:
		case <-ns.quit:
			return
		}
		for {
			select {
			case v := <-ns.hook:
				if err := ns.notify(v); err != nil {
					ns.p.log.Debug("async value dropped", "err", err)
				}
			case ack := <-ns.flush:
				close(ack)
			case <-ns.quit:
				return
			}
		}
	}()
	reflect.ValueOf(v).MethodByName(hookMethod).Call([]reflect.Value{reflect.ValueOf(ns.hook)})
}

// stopHook ends the hook's forwarder, after a flush when flush is true.
func (ns *natsServer) stopHook(flush bool) {
	if ns.hook == nil {
		return
	}
	if flush {
		ack := make(chan struct{})
		ns.flush <- ack
		<-ack
	}
	close(ns.quit)
	<-ns.hookDone
}

// notify publishes v on the instance's async subject.
func (ns *natsServer) notify(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("plugin: encoding async value: %w", err)
	}
	select {
	case <-ns.p.done:
		return ErrShutdown
	default:
	}
	if err := ns.nc.Publish(natswire.AsyncSubject(ns.p.name, ns.id), b); err != nil {
		return fmt.Errorf("%w: %w", ErrShutdown, err)
	}
	return nil
}
