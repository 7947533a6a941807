package main

import (
	"context"

	"github.com/cued-dev/cued/sequencer"
)

// clipLengths returns the clip lengths of the configured voice pack.
// TODO(lead): replace with the voice bank once it lands.
func clipLengths(ctx context.Context) (sequencer.ClipLengths, error) {
	return nil, nil
}
