package socket

import "fmt"

// envelopeOverhead bounds what an envelope adds to its trace, method and
// payload on the wire: the type id, the sequence number, each field's
// index delta and length, and the closing zero (at most 9 bytes each).
const envelopeOverhead = 64

// checkRequest refuses a request whose envelope could be larger than the
// max message: the SDK's plugins refuse a message past the same default
// (wire.DefaultMaxMessage) by closing the connection, which would fail
// every later call, so it is refused here, before anything is written.
func (c *config) checkRequest(trace, method string, payload []byte) error {
	if n := len(payload) + len(trace) + len(method) + envelopeOverhead; n > c.maxMessage {
		return fmt.Errorf("%w: a request of %d bytes is larger than the message limit of %d bytes (WithMaxMessage)",
			ErrMessageTooLarge, len(payload), c.maxMessage)
	}
	return nil
}
