package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// Plugin serves the methods of one receiver over one connection to a socket.
// Make one with New, or use the zero value; a Plugin serves one connection
// and is not reused after Start returns.
type Plugin struct {
	cfg config       // set by New; completed by Start
	log *slog.Logger // cfg.log, with the plugin's name

	methods methodSet
	conn    io.ReadWriteCloser
	enc     *wire.Encoder
	name    string
	hasHook bool

	mu       sync.Mutex
	state    lifecycle // guarded by mu
	inflight map[uint64]*callCtx
	calls    sync.WaitGroup     // requests being served
	workers  workers[request]   // serve the requests the read loop hands out
	flush    chan chan struct{} // asks the async hook reader to confirm it is idle
	hookQuit chan struct{}      // tells the async hook reader to return
	hookDone chan struct{}      // closed when the async hook reader has returned
	done     chan struct{}      // closed when the connection is closed
	ended    chan struct{}      // closed when Start returns
	stopper  sync.WaitGroup     // the goroutine of a graceful stop

	stopOnce  sync.Once
	closeOnce sync.Once

	nats *natsServer // set, under mu, when StartNATS serves the plugin
}

// Start serves v over conn and blocks until the socket asks the plugin to
// stop, the plugin calls Stop, or the connection breaks.
//
// Start inspects v once, by reflection, for exported methods of the form
//
//	func (t *T) Name(ctx context.Context, in T1) (T2, error)
//
// where T1 and T2 are exported or builtin types, T1 is not a channel, a
// function or a non-empty interface, and T2 is not a channel or a function.
// Every other exported method is skipped, with one warning in the log per
// method saying why ("Loud: argument type main.text is not exported"). If v
// has a method UseAsyncHook(chan any), it is called with a channel whose
// values are sent to the socket as async messages, in order, while the
// connection lasts. Methods named Async, Shutdown or Cancel are refused
// (ErrReservedMethod); a receiver with no suitable method is refused
// (ErrNoMethods, the error listing the skipped methods and why).
//
// info names the plugin; its Functions may hold hand-written descriptions,
// which are merged with what reflection finds (reflection decides the shape,
// the author what is mandatory).
//
// ctxKey is the brpc-compatible form of WithContextKey: if it is not nil,
// each method's context carries the request's trace id (a string) under
// that key, and it is used instead of the key given to New. Pass nil to keep
// New's (Trace(ctx) returns the trace id in any case).
//
// Start returns nil after a stop request (from the socket or Stop), an error
// wrapping ErrRejected with the socket's reason when the handshake is refused,
// and an error wrapping ErrDisconnected when the connection ends otherwise.
// conn is closed when Start returns.
func (p *Plugin) Start(v any, info *Info, conn io.ReadWriteCloser, ctxKey any) error {
	// Start and readLoop are kept small: the goroutine of an idle plugin is
	// parked under them, and the garbage collector shrinks its stack only
	// if little of it is in use there.
	if err := p.open(v, info, conn, ctxKey); err != nil {
		return err
	}
	defer close(p.ended)
	defer p.workers.wait() // they end once the connection is closed
	if err := p.handshake(v, info); err != nil {
		return err
	}
	err := p.readLoop(conn)
	// Only the read loop hands work out: with it ended, closing the
	// pool tells every idle worker to return.
	p.workers.close()
	p.finish()
	return err
}

// open checks the arguments of Start and sets the plugin up.
func (p *Plugin) open(v any, info *Info, conn io.ReadWriteCloser, ctxKey any) error {
	if info == nil || info.Name == "" {
		return fmt.Errorf("%w: a plugin needs a name", ErrInvalidInfo)
	}
	methods, hasHook, skipped, err := discover(v)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stateNew {
		return errors.New("plugin: Start called twice")
	}
	p.state = stateServing
	p.cfg = p.cfg.withDefaults() // the zero Plugin's defaults are taken now
	if ctxKey != nil {           // brpc's form wins over WithContextKey
		p.cfg.ctxKey = ctxKey
	}
	p.methods, p.conn, p.name, p.hasHook = methods, conn, info.Name, hasHook
	p.inflight = map[uint64]*callCtx{}
	p.done = make(chan struct{})
	p.ended = make(chan struct{})
	p.workers = newWorkers[request](p)
	p.log = p.cfg.log.With("plugin", info.Name)
	for _, sk := range skipped {
		p.log.Warn("method not served: "+sk.String(), "method", sk.name)
	}
	p.enc = wire.NewEncoder(conn, p.cfg.writeTimeout)
	return nil
}

// handshake sends the plugin's description and starts the async hook.
func (p *Plugin) handshake(v any, info *Info) error {
	hello := &wire.Hello[Function]{
		Name:      info.Name,
		Version:   info.Version,
		Functions: functions(p.methods, info.Functions),
		Token:     p.cfg.token,
		Caps:      []string{wire.CapCancel},
	}
	if err := p.enc.Send(hello); err != nil {
		p.closeConn()
		return fmt.Errorf("%w: sending handshake: %w", ErrDisconnected, err)
	}
	if p.hasHook {
		hook := make(chan any)
		// Under mu: a Stop during the handshake reads them (flushHook).
		p.mu.Lock()
		p.flush, p.hookQuit, p.hookDone = make(chan chan struct{}), make(chan struct{}), make(chan struct{})
		p.mu.Unlock()
		go p.forwardHook(hook)
		reflect.ValueOf(v).MethodByName(hookMethod).Call([]reflect.Value{reflect.ValueOf(hook)})
	}
	return nil
}

// finish waits, once the read loop has ended, for a graceful stop and the
// async hook reader.
func (p *Plugin) finish() {
	p.mu.Lock()
	p.state = stateFinished
	p.mu.Unlock()
	p.stopper.Wait()
	if p.hookDone != nil {
		close(p.hookQuit)
		<-p.hookDone
	}
}

// readLoop decodes envelopes until the connection ends.
func (p *Plugin) readLoop(conn io.Reader) error {
	dec := wire.NewDecoder(conn, p.cfg.maxMessage)
	var env wire.Envelope // reused: each decode fills it anew
	for {
		if err := dec.DecodeEnvelope(&env); err != nil {
			return p.readFailed(err)
		}
		if err := p.handleEnv(&env); err != nil {
			return err
		}
	}
}

// readFailed ends the connection after a read error; the error is Start's.
func (p *Plugin) readFailed(err error) error {
	p.mu.Lock()
	drained := p.state == stateDrained
	p.mu.Unlock()
	p.abandon()
	if drained {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrDisconnected, err)
}

// handleEnv acts on one message from the socket; an error ends Start.
func (p *Plugin) handleEnv(env *wire.Envelope) error {
	switch env.Method {
	case wire.MethodShutdown:
		if env.Error != "" {
			p.abandon()
			return fmt.Errorf("%w: %s", ErrRejected, env.Error)
		}
		p.log.Debug("stop requested", "trace", env.Trace)
		p.beginStop()
	case wire.MethodCancel:
		p.mu.Lock()
		if ctx := p.inflight[env.Seq]; ctx != nil {
			ctx.cancel()
		}
		p.mu.Unlock()
	default:
		p.dispatch(*env)
	}
	return nil
}

// dispatch hands one request to an idle worker (starting a new worker when
// none is idle), or refuses it when the plugin is stopping.
func (p *Plugin) dispatch(env wire.Envelope) {
	p.mu.Lock()
	if p.state >= stateStopping {
		p.mu.Unlock()
		p.reply(&wire.Envelope{Seq: env.Seq, Trace: env.Trace, Method: env.Method, Error: wire.TextShutdown})
		return
	}
	ctx := &callCtx{info: callInfo{plugin: p, trace: env.Trace}, key: p.cfg.ctxKey}
	p.inflight[env.Seq] = ctx
	p.calls.Add(1)
	p.mu.Unlock()
	p.workers.hand(request{ctx: ctx, env: env})
}

// request is one request handed to a worker.
type request struct {
	ctx *callCtx
	env wire.Envelope
}

// serveJob serves one request a worker took and sends its answer.
func (p *Plugin) serveJob(r request) {
	defer p.calls.Done()
	buf := resultBufs.Get().(*[]byte)
	resp := p.serve(r.ctx, &r.env, buf)
	p.mu.Lock()
	delete(p.inflight, r.env.Seq)
	p.mu.Unlock()
	r.ctx.cancel()
	p.reply(&resp) // copies the payload: buf is free again
	if cap(*buf) <= maxPooledResult {
		resultBufs.Put(buf)
	}
}

// resultBufs holds the buffers results are encoded into: a response is
// copied into the connection's write buffer as it is sent, so the encoded
// result need not be allocated for every request.
var resultBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// maxPooledResult is the largest result buffer kept for reuse.
const maxPooledResult = 64 << 10

// serve runs the method a request names and builds the response, its
// payload encoded into *buf.
func (p *Plugin) serve(ctx context.Context, env *wire.Envelope, buf *[]byte) (resp wire.Envelope) {
	resp = wire.Envelope{Seq: env.Seq, Trace: env.Trace, Method: env.Method}
	m := p.methods.lookup(env.Method)
	if m == nil {
		resp.Error = wire.TextMethodNotFound
		return resp
	}
	var arg any          // the argument of a direct method
	var in reflect.Value // the argument of any other
	var err error
	if m.direct == nil {
		in = reflect.New(m.in)
		if len(env.Payload) > 0 {
			err = jsontok.DecodeInto(env.Payload, in.Interface()) // json.Unmarshal, faster for plain structs
		}
	} else if len(env.Payload) > 0 {
		arg, err = jsontok.Decode(env.Payload) // json.Unmarshal's value, faster
	}
	if err != nil {
		resp.Error = fmt.Sprintf("bad argument for %s: %v", env.Method, err)
		return resp
	}
	out, rout, err := p.invoke(ctx, m, arg, in)
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	var b []byte
	if m.direct != nil {
		b, err = jsontok.Append((*buf)[:0], out)
	} else {
		b, err = jsontok.AppendValue((*buf)[:0], rout)
	}
	*buf = b[:0]
	if err != nil {
		resp.Error = fmt.Sprintf("encoding result of %s: %v", env.Method, err)
		return resp
	}
	resp.Payload = b
	return resp
}

// invoke calls the method, turning a panic into an error: a direct method
// with arg (its result is out), any other through reflection with in (its
// result is rout).
func (p *Plugin) invoke(ctx context.Context, m *method, arg any, in reflect.Value) (out any, rout reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("method panicked", "panic", r)
			err = fmt.Errorf("%s%v", wire.PrefixPanic, r)
		}
	}()
	if m.direct != nil {
		out, err = m.direct(ctx, arg)
		return out, reflect.Value{}, err
	}
	rout, err = m.call(ctx, in)
	return nil, rout, err
}

// call calls the method through reflection with the argument in.
func (m *method) call(ctx context.Context, in reflect.Value) (reflect.Value, error) {
	// ctx goes in as a value of the interface type itself: reflect then
	// need not check, on every call, that its dynamic type implements it.
	// (Taking its address moves it to the heap, which is why this is not
	// in invoke: direct methods would pay for it too.)
	res := m.fn.Call([]reflect.Value{m.recv, reflect.ValueOf(&ctx).Elem(), in.Elem()})
	if !res[1].IsNil() {
		return reflect.Value{}, res[1].Interface().(error)
	}
	return res[0], nil
}

// reply sends a response; a failure means the connection is broken, which
// the read loop notices.
func (p *Plugin) reply(env *wire.Envelope) {
	if err := p.enc.SendEnvelope(env); err != nil {
		p.log.Debug("reply not sent", "method", env.Method, "err", err)
	}
}

// notify sends v to the socket as an async value, after every value sent
// before it. It fails with ErrShutdown once the connection is closed.
func (p *Plugin) notify(v any) error {
	if p.nats != nil { // set before any method runs
		return p.nats.notify(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("plugin: encoding async value: %w", err)
	}
	select {
	case <-p.done:
		return ErrShutdown
	default:
	}
	if err := p.enc.SendEnvelope(&wire.Envelope{Method: wire.MethodAsync, Payload: b}); err != nil {
		return fmt.Errorf("%w: %w", ErrShutdown, err)
	}
	return nil
}

// forwardHook sends the values of the async hook until Start returns. A
// value a method put in the hook has been received here by the time the
// method returns; drain asks for a flush before closing, so that value is
// sent, not lost. Once the connection is closed, values are received and
// dropped, so that no method blocks on the hook forever.
func (p *Plugin) forwardHook(hook <-chan any) {
	defer close(p.hookDone)
	for {
		select {
		case v := <-hook:
			if err := p.notify(v); err != nil {
				p.log.Debug("async value dropped", "err", err)
			}
		case ack := <-p.flush:
			close(ack)
		case <-p.hookQuit:
			return
		}
	}
}

// flushHook waits until the async hook reader has sent what it received.
//
// A Stop that comes before the handshake has started the reader finds no
// hook: the receiver has not been given its channel yet, so nothing can be
// waiting in it.
func (p *Plugin) flushHook() {
	p.mu.Lock()
	flush, done := p.flush, p.hookDone
	p.mu.Unlock()
	if flush == nil {
		return
	}
	ack := make(chan struct{})
	select {
	case flush <- ack:
		<-ack
	case <-done:
	}
}

// Stop stops the plugin as a stop request from the socket would: no new
// requests are taken, those in flight finish and are answered, and the
// connection is closed; then Start returns nil. Stop blocks until Start has
// returned, so it must not be called from inside a method. It is safe to call
// more than once, and before Start (it then does nothing).
func (p *Plugin) Stop() {
	p.mu.Lock()
	started, ns := p.state != stateNew, p.nats
	p.mu.Unlock()
	if !started {
		return
	}
	if ns != nil {
		ns.beginStop()
		<-p.ended
		return
	}
	p.beginStop()
	<-p.ended
}

// beginStop starts a graceful stop in the background: the read loop goes on
// reading meanwhile, so that it sees Cancel messages and a broken connection.
func (p *Plugin) beginStop() {
	p.stopOnce.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.state == stateFinished {
			return
		}
		p.state = stateStopping
		p.stopper.Add(1)
		go func() {
			defer p.stopper.Done()
			p.calls.Wait()
			p.flushHook()
			// Answers queued behind another writer must reach the socket
			// before the connection closes.
			_ = p.enc.Flush()
			p.mu.Lock()
			if p.state == stateStopping { // not once Start is returning
				p.state = stateDrained
			}
			p.mu.Unlock()
			p.closeConn()
		}()
	})
}

// abandon cancels in-flight requests (their answers can no longer be sent),
// closes the connection and waits for the requests to return.
func (p *Plugin) abandon() {
	p.mu.Lock()
	if p.state < stateStopping {
		p.state = stateStopping
	}
	for _, ctx := range p.inflight {
		ctx.cancel()
	}
	p.mu.Unlock()
	p.closeConn()
	p.calls.Wait()
}

func (p *Plugin) closeConn() {
	p.closeOnce.Do(func() {
		close(p.done)
		_ = p.conn.Close()
	})
}
