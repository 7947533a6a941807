package daemon

import (
	"sync"

	"github.com/cued-dev/cued/daemon/api"
)

// subBuffer is how many events a subscriber may lag behind before it is
// dropped: a stuck client must never slow the player.
const subBuffer = 64

// broker fans events out to the subscribers of GET /events.
type broker struct {
	mu     sync.Mutex
	subs   map[chan api.Event]struct{}
	closed bool
}

func newBroker() *broker { return &broker{subs: map[chan api.Event]struct{}{}} }

// subscribe returns a channel of events, closed when the subscriber is
// dropped (it lagged) or the broker closes, and a function to unsubscribe.
func (b *broker) subscribe() (<-chan api.Event, func()) {
	ch := make(chan api.Event, subBuffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	b.subs[ch] = struct{}{}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}
}

// publish sends e to every subscriber without ever blocking.
func (b *broker) publish(e api.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
			delete(b.subs, ch)
			close(ch)
		}
	}
}

// close ends every subscription.
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}
