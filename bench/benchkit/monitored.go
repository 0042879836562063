package benchkit

import (
	"errors"

	"github.com/switchboard-rpc/switchboard/socket"
)

// Monitored is three sockets with one Echo plugin each, p0, over loopback
// TCP: On with an observer installed (socket.WithObserver), Off and Control
// without. Off against Control is the A/A control: two sockets made alike,
// which shows how far apart two identical figures land.
//
// The observer is passed in, not built here: the monitor's own benchmarks
// import this package, so it cannot import the monitor.
type Monitored struct {
	On, Off, Control *Hub
}

// NewMonitored starts the three sockets, On observed by o, and returns
// once each plugin is registered. It blocks for that.
func NewMonitored(o socket.Observer) (*Monitored, error) {
	if o == nil {
		return nil, errors.New("benchkit: NewMonitored of a nil observer")
	}
	m := &Monitored{}
	var err error
	if m.On, err = NewHubWith(1, socket.WithObserver(o)); err != nil {
		return nil, err
	}
	if m.Off, err = NewHub(1); err != nil {
		m.Close()
		return nil, err
	}
	if m.Control, err = NewHub(1); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Close shuts the sockets down and waits for their plugins. It blocks until
// they are gone.
func (m *Monitored) Close() {
	for _, h := range []*Hub{m.On, m.Off, m.Control} {
		if h != nil {
			h.Close()
		}
	}
}
