package hbm

import (
	akita "github.com/sarchlab/akita/v3/sim"
)

// burst is one AXI transaction (burst) between an AXI port and a
// controller. The same object travels to the controller as the request and
// back to the port as its response (done set), and the port recycles it, so
// the model allocates nothing per burst.
type burst struct {
	akita.MsgMeta

	// Set by the AXI port.
	txn   *txn
	port  int    // AXI port index
	pc    int    // pseudo-channel
	local uint64 // PC-local byte address
	bytes int    // bytes of the burst (a multiple of the 32 B HBM burst)
	beats int    // beats on the kernel-side port
	write bool

	// spanCycles is the number of HBM cycles over which the message's data
	// leaves its source (the write data channel, or the DRAM bus for read
	// data); the switch uses it to pass data through lateral links cut-through.
	spanCycles int64

	// Set by the controller.
	done      bool
	arrive    int64 // HBM cycle at which the burst reached the controller
	segsLeft  int   // segments (row pieces) not yet issued
	issue     int64 // HBM cycle of the first column command
	firstData int64 // HBM cycle the first data beat starts on the DRAM bus
	lastData  int64 // HBM cycle the last data beat ends on the DRAM bus
}

// Meta returns the message's metadata.
func (b *burst) Meta() *akita.MsgMeta { return &b.MsgMeta }
