package sweep

import (
	"testing"

	"github.com/roofsim/roofsim/report/format"
)

// FakeRows runs the space of JSON js with the fake evaluator, for the
// external tests of the sweep's report.
func FakeRows(t *testing.T, js string) []Row { return fakeRows(t, js) }

// ReportSpaceJSON is the space of the report tests.
const ReportSpaceJSON = reportSpaceJSON

// MustPoints is mustPoints for the external tests.
func MustPoints(tb testing.TB, js string) []Point { return mustPoints(tb, js) }

// RunToBytes is runToBytes for the external tests.
func RunToBytes(t *testing.T, pts []Point, ev Evaluator, workers int, f format.Format) []byte {
	return runToBytes(t, pts, ev, workers, f)
}
