package userfile_test

import (
	"errors"
	"fmt"

	"github.com/cued-dev/cued/internal/userfile"
)

// A device named where a routine file was expected is refused before it
// is read, with one line that says what it is.
func ExampleRead() {
	_, err := userfile.Read("/dev/null", "a routine file", 1<<20)
	fmt.Println(err)
	fmt.Println(errors.Is(err, userfile.ErrNotRegular))
	// Output:
	// /dev/null: is a character device, not a regular file (a routine file must be a regular file)
	// true
}
