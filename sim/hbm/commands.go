package hbm

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
)

// never is a cycle long before any real one: a constraint measured from it
// never binds.
const never int64 = math.MinInt64 / 4

// noWake marks that a controller has no wake-up scheduled.
const noWake int64 = math.MaxInt64

// CommandKind is a DRAM command.
type CommandKind int

// The DRAM commands a controller issues.
const (
	CmdACT  CommandKind = iota // activate a row
	CmdPRE                     // precharge (close) one bank
	CmdPREA                    // precharge all banks (before a refresh)
	CmdREF                     // all-bank refresh
	CmdRD                      // read one 32 B burst
	CmdWR                      // write one 32 B burst
)

var commandNames = [...]string{"ACT", "PRE", "PREA", "REF", "RD", "WR"}

// String is the command's JEDEC mnemonic.
func (k CommandKind) String() string {
	if k >= 0 && int(k) < len(commandNames) {
		return commandNames[k]
	}
	return fmt.Sprintf("CommandKind(%d)", int(k))
}

// Command is one DRAM command in a controller's trace.
type Command struct {
	// Cycle is the HBM clock cycle the command is issued in.
	Cycle int64
	// Kind is the command.
	Kind CommandKind
	// Bank is the bank (-1 for PREA and REF).
	Bank int
	// Row is the row of an ACT, RD or WR (-1 otherwise).
	Row int
}

// String formats the command as "cycle KIND bank row".
func (c Command) String() string {
	return fmt.Sprintf("%d %s b%d r%d", c.Cycle, c.Kind, c.Bank, c.Row)
}

// timing is hw.HBMTimingCycles as int64 for cycle arithmetic.
type timing struct {
	CL, CWL, RCD, RP, RAS, CCDS, CCDL, RRDS, RRDL, FAW, WR, WTRS, WTRL, RTW, RFC, REFI int64
}

func makeTiming(t hw.HBMTimingCycles) timing {
	return timing{
		CL: int64(t.CL), CWL: int64(t.CWL), RCD: int64(t.RCD), RP: int64(t.RP), RAS: int64(t.RAS),
		CCDS: int64(max(t.CCDS, 1)), CCDL: int64(max(t.CCDL, 1)), RRDS: int64(t.RRDS), RRDL: int64(t.RRDL),
		FAW: int64(t.FAW), WR: int64(t.WR), WTRS: int64(t.WTRS), WTRL: int64(t.WTRL), RTW: int64(t.RTW),
		RFC: int64(t.RFC), REFI: int64(t.REFI),
	}
}

// segment is the part of a burst that falls in one bank and row: the unit
// the scheduler issues as one run of column commands.
type segment struct {
	b     *burst
	bank  int
	bg    int
	row   int32
	n     int // 32 B column commands
	seq   uint64
	write bool
	// col indexes the segment's column bound in Controller.colBound:
	// bank group x 2, +1 for a write.
	col uint8
}

// bankState is one bank: its open row and the earliest cycles of its next
// commands (its queue of segments is Controller.queues). The fields are
// ordered and sized so that a bank fills one 64-byte cache line: the
// scheduler's loops visit several banks per step.
type bankState struct {
	actReady int64 // earliest ACT (tRP after PRE; see bankActReady for REF)
	colReady int64 // earliest RD/WR (tRCD after ACT)
	preReady int64 // earliest PRE (tRAS after ACT, tWR after write data, read end)
	// hit caches firstHit while hitOK; hitSeq and hitCol are its seq and
	// col (the schedulers' loops read them without touching the segment).
	hit    *segment
	hitSeq uint64
	// headSeq is the seq of the bank's oldest queued segment (when it has
	// one), kept here so that the row scheduler's loops do not follow a
	// pointer per bank.
	headSeq uint64
	openRow int32 // -1: closed
	// bg is the bank's bank group.
	bg int32
	// fresh marks a row activated and not yet accessed; conflict that its
	// activation followed a precharge forced by a request to another row.
	fresh, conflict  bool
	closedByConflict bool
	hitOK            bool
	hitCol           uint8
}

// lossReason is why the data bus idled before a column command.
type lossReason int

const (
	lossRow lossReason = iota
	lossTurnaround
	lossOther
)

// window is a half-open interval of HBM cycles.
type window struct{ from, to int64 }
