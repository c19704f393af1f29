package hw

import (
	"fmt"
	"math"
	"strings"
)

// Dataflow names how a systolic array keeps its operands.
type Dataflow string

// The dataflows roofsim models.
const (
	// OutputStationary keeps each output in its PE while K streams through.
	OutputStationary Dataflow = "os"
	// WeightStationary keeps a tile of weights in the PEs while M streams through.
	WeightStationary Dataflow = "ws"
)

// ParseDataflow accepts "os" or "ws" (and their long names).
func ParseDataflow(s string) (Dataflow, error) {
	switch strings.ToLower(s) {
	case "os", "output-stationary", "output_stationary":
		return OutputStationary, nil
	case "ws", "weight-stationary", "weight_stationary":
		return WeightStationary, nil
	}
	return "", fmt.Errorf("dataflow %q is not known (accepted: os|ws)", s)
}

// Design is one accelerator instance on a board: a number of identical
// systolic arrays of DSP-based processing elements (PEs), their on-chip
// buffers, a vector unit for elementwise kernels, and the HBM ports they use.
type Design struct {
	// Name identifies the design, e.g. "int8".
	Name string `json:"name"`
	// Precision is the arithmetic of the arrays (a name in JSON).
	Precision Precision `json:"precision"`
	// DSPsPerMACOverride, when above zero, replaces the precision's default
	// DSP cost of one MAC.
	DSPsPerMACOverride float64 `json:"dsps_per_mac,omitempty"`
	// ArrayRows is the number of PE rows of one array.
	ArrayRows int `json:"array_rows"`
	// ArrayCols is the number of PE columns of one array.
	ArrayCols int `json:"array_cols"`
	// Arrays is the number of identical arrays (placed one per SLR by default).
	Arrays int `json:"arrays"`
	// Dataflow is the arrays' dataflow.
	Dataflow Dataflow `json:"dataflow"`
	// ArrayStyle is how the arrays run their folds: fold (SCALE-Sim's
	// model, the default when empty), streaming, or dot (each array is
	// ArrayCols dot-product trees of ArrayRows multipliers; dataflow os).
	ArrayStyle ArrayStyle `json:"array_style,omitempty"`
	// Buffering is how the buffers of an array hold tiles: double (the
	// default when empty: a tile loads into one half while the array works
	// from the other), single (the whole buffer holds one tile, loaded
	// after the previous one is used: load, then compute) or stream (each
	// buffer is a FIFO of small tiles, refilled whenever it has room for
	// the next one: an HLS m_axi read buffer; see StreamTileBytes).
	Buffering Buffering `json:"buffering,omitempty"`
	// BurstBytes is the largest AXI burst of the design's ports in bytes
	// (an HLS m_axi port's max_read_burst_length beats x the port width,
	// UG1399): the DMA's largest request, and the interleave of the data
	// over the ports in roofsim gemm and validate (roofsim run keeps its
	// layout's); 0 is 4096 (4 KiB requests and interleave).
	BurstBytes int64 `json:"burst_bytes,omitempty"`
	// LaunchCycles is a fixed overhead in kernel cycles before each kernel
	// starts: the host launching it (an XRT kernel start); 0 has none.
	LaunchCycles int64 `json:"launch_cycles,omitempty"`
	// AttentionBlockTokens, when > 0, makes a decode step's attention run
	// over its context rounded up to whole blocks of this many positions
	// (read from the KV cache and computed, the ones past the context
	// masked): an attention kernel that takes a block-aligned length; 0
	// runs the context's own positions.
	AttentionBlockTokens int `json:"attention_block_tokens,omitempty"`
	// TransposeVWidth, when > 0, makes a decode step form V^T on the
	// arrays before the AV product, as one-hot matvecs: each
	// TransposeVWidth-column block of V times a TransposeVWidth-square
	// identity, an extra GEMM per layer; 0 reads V as the cache stores it.
	TransposeVWidth int `json:"transpose_v_width,omitempty"`
	// WeightReuseRows, when > 0, is the most rows of a GEMM's input one
	// pass of its weights serves: the weights are read from memory again
	// for every row tile of that many rows, as a dot unit that streams
	// them from the DMA without keeping them (1: once per row); 0 lets the
	// buffers decide. Attention products are not affected.
	WeightReuseRows int `json:"weight_reuse_rows,omitempty"`
	// WeightScaleBlock and WeightScaleBits, when > 0, give a GEMM's weights
	// one scale of WeightScaleBits bits per WeightScaleBlock weights along
	// K (a block-quantized format: 64 4-bit weights and a bf16 scale), read
	// with the first K chunk of a weight tile into a scale store of their
	// own; 0 has none. The roofline counts the weights alone.
	WeightScaleBlock int `json:"weight_scale_block,omitempty"`
	WeightScaleBits  int `json:"weight_scale_bits,omitempty"`
	// WeightBufferBytes is the weight buffer of one array in bytes, both
	// halves of its double buffer included.
	WeightBufferBytes int64 `json:"weight_buffer_bytes"`
	// InputBufferBytes is the input-activation buffer of one array in bytes,
	// both halves included.
	InputBufferBytes int64 `json:"input_buffer_bytes"`
	// OutputBufferBytes is the output (accumulator) buffer of one array in
	// bytes, both halves included.
	OutputBufferBytes int64 `json:"output_buffer_bytes"`
	// ActivationBufferBytes is the on-chip activation store shared by the
	// arrays, in bytes: activations stay in it between kernels while they
	// fit and spill to HBM when they do not; 0 keeps every activation in HBM.
	ActivationBufferBytes int64 `json:"activation_buffer_bytes,omitempty"`
	// WeightStoreBytes is an on-chip weight store shared by the arrays, in
	// bytes (UltraRAM): the simulator may pin weights in it, which are then
	// read on chip instead of from HBM; 0 (the presets) has none.
	WeightStoreBytes int64 `json:"weight_store_bytes,omitempty"`
	// BufferReadBytesPerCycle is the bytes per kernel cycle one buffer can
	// feed its array; 0 means wide enough for the array's edge every cycle.
	BufferReadBytesPerCycle int `json:"buffer_read_bytes_per_cycle,omitempty"`
	// VectorLanes is the number of elementwise lanes of each array's vector
	// unit (one element operation per lane per cycle).
	VectorLanes int `json:"vector_lanes"`
	// HBMPorts is the number of AXI ports the design uses (one per PC).
	HBMPorts int `json:"hbm_ports"`
	// PortBits is the width of each of the design's AXI ports: 256 or 512.
	PortBits int `json:"port_bits"`
	// HBMPCs is the number of pseudo-channels the design spreads its data
	// over; 0 means as many as it has ports.
	HBMPCs int `json:"hbm_pcs,omitempty"`
	// FreqHz is the design's kernel clock in Hz; 0 means the platform's.
	FreqHz float64 `json:"freq_hz,omitempty"`
	// Board names the built-in board the design was built for (a name of
	// PlatformNames); commands use it when no --board is given. "" (the
	// presets) leaves the board to the command (the U280 by default).
	Board string `json:"board,omitempty"`
}

// Buffering is how an array's buffers hold tiles.
type Buffering string

// The bufferings.
const (
	// DoubleBuffered loads the next tile into one half of each buffer while
	// the array works from the other (the default).
	DoubleBuffered Buffering = "double"
	// SingleBuffered holds one tile in the whole buffer: the next tile
	// loads once the array is done with the current one.
	SingleBuffered Buffering = "single"
	// StreamBuffered makes each buffer a FIFO of tiles of at most one burst
	// per port (StreamTileBytes): a tile's load is issued as soon as the
	// FIFO has free space for it (reserved at issue, freed when the array
	// is done with the tile), as an HLS m_axi adapter issues its next burst
	// as soon as its read buffer has room for it (UG1399, "AXI4 Master
	// Interface": num_read_outstanding x max_read_burst_length words).
	StreamBuffered Buffering = "stream"
)

// BufferingNames lists the accepted bufferings, separated by '|'.
const BufferingNames = "double|single|stream"

// ParseBuffering accepts double, single or stream ("" is double).
func ParseBuffering(s string) (Buffering, error) {
	switch strings.ToLower(s) {
	case "", "double":
		return DoubleBuffered, nil
	case "single":
		return SingleBuffered, nil
	case "stream":
		return StreamBuffered, nil
	}
	return "", fmt.Errorf("buffering %q is not known (accepted: %s)", s, BufferingNames)
}

// DefaultBurstBytes is the burst of a design that sets none: 4 KiB, the
// largest AXI burst (a burst may not cross a 4 KiB boundary; AMBA AXI
// protocol specification, IHI 0022, A3.4.1).
const DefaultBurstBytes = 4096

// Burst is the design's largest AXI burst in bytes: BurstBytes, or
// DefaultBurstBytes when it is 0.
func (d Design) Burst() int64 {
	if d.BurstBytes > 0 {
		return d.BurstBytes
	}
	return DefaultBurstBytes
}

// BufferHalves is the number of tiles each buffer holds at once: 2 when
// double-buffered, 1 when single-buffered; a stream buffer holds as many
// as fit (TileBytes).
func (d Design) BufferHalves() int64 {
	if d.Buffering == SingleBuffered {
		return 1
	}
	return 2
}

// TileBytes is the largest tile a buffer of bufferBytes holds, in bytes:
// the buffer over BufferHalves when double- or single-buffered, and
// StreamTileBytes when stream-buffered.
func (d Design) TileBytes(bufferBytes int64) int64 {
	if d.Buffering == StreamBuffered {
		return d.StreamTileBytes(bufferBytes)
	}
	return bufferBytes / d.BufferHalves()
}

// StreamTileBytes is the largest tile of a stream buffer of bufferBytes,
// in bytes: one burst per port (HBMPorts x Burst, the data one refill of
// every port's read buffer brings), and at most half the buffer, so that
// the FIFO always holds the tile the array works on and the next one.
func (d Design) StreamTileBytes(bufferBytes int64) int64 {
	return min(int64(d.HBMPorts)*d.Burst(), bufferBytes/2)
}

// PEs is the number of processing elements (MAC units) of all arrays.
func (d Design) PEs() int { return d.ArrayRows * d.ArrayCols * d.Arrays }

// DSPsPerMAC is the DSP cost of one MAC unit in this design.
func (d Design) DSPsPerMAC() float64 {
	if d.DSPsPerMACOverride > 0 {
		return d.DSPsPerMACOverride
	}
	return d.Precision.DSPsPerMAC
}

// DSPsPerArray is the number of DSP48E2 slices one array uses (rounded up).
func (d Design) DSPsPerArray() int {
	return int(math.Ceil(float64(d.ArrayRows*d.ArrayCols)*d.DSPsPerMAC() - 1e-9))
}

// DSPs is the number of DSP48E2 slices all arrays use.
func (d Design) DSPs() int { return d.DSPsPerArray() * d.Arrays }

// BufferBytes is the on-chip memory the design uses in bytes: the buffers
// of all arrays, the shared activation store and the weight store.
func (d Design) BufferBytes() int64 {
	return int64(d.Arrays)*(d.WeightBufferBytes+d.InputBufferBytes+d.OutputBufferBytes) + d.ActivationBufferBytes + d.WeightStoreBytes
}

// ClockHz is the design's kernel clock in Hz on platform p.
func (d Design) ClockHz(p Platform) float64 {
	if d.FreqHz > 0 {
		return d.FreqHz
	}
	return p.KernelFreqHz
}

// PCs is the number of pseudo-channels the design's data is spread over.
func (d Design) PCs() int {
	if d.HBMPCs > 0 {
		return d.HBMPCs
	}
	return d.HBMPorts
}

// PeakOpsPerSec is the design's compute ceiling in operations (2 per MAC)
// per second: DSPs used x MACs per DSP x 2 x clock = PEs x 2 x clock.
func (d Design) PeakOpsPerSec(p Platform) float64 {
	return float64(d.PEs()) * 2 * d.ClockHz(p)
}

// PortBytesPerSec is the bandwidth of all the design's AXI ports in bytes
// per second: ports x width x clock.
func (d Design) PortBytesPerSec(p Platform) float64 {
	return float64(d.HBMPorts) * float64(d.PortBits) / 8 * d.ClockHz(p)
}

// MemBytesPerSec is the design's memory ceiling in bytes per second: the
// lower of the HBM peak of the pseudo-channels it uses and its ports'
// bandwidth.
func (d Design) MemBytesPerSec(p Platform) float64 {
	hbm := math.Min(p.HBM.PeakBytesPerSec(), float64(d.PCs())*p.HBM.PCBytesPerSec())
	return math.Min(hbm, d.PortBytesPerSec(p))
}

// Validate checks the design's own fields: a name, a precision, every
// number in its range (Ranges) and a known dataflow. Fit checks whether
// the board can hold it.
func (d Design) Validate() error {
	if d.Name == "" {
		return fmt.Errorf("design: name must not be empty")
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("design %q: "+format, append([]any{d.Name}, a...)...)
	}
	if d.Precision.Name == "" {
		return fail("precision is required (accepted: %s)", PrecisionNames())
	}
	if d.PortBits != 256 && d.PortBits != 512 {
		return fail("port_bits must be 256 or 512, got %d", d.PortBits)
	}
	err := checkFields([]fieldValue{
		{"dsps_per_mac", d.DSPsPerMACOverride}, {"array_rows", float64(d.ArrayRows)}, {"array_cols", float64(d.ArrayCols)},
		{"arrays", float64(d.Arrays)}, {"weight_buffer_bytes", float64(d.WeightBufferBytes)},
		{"input_buffer_bytes", float64(d.InputBufferBytes)}, {"output_buffer_bytes", float64(d.OutputBufferBytes)},
		{"activation_buffer_bytes", float64(d.ActivationBufferBytes)}, {"weight_store_bytes", float64(d.WeightStoreBytes)},
		{"buffer_read_bytes_per_cycle", float64(d.BufferReadBytesPerCycle)}, {"vector_lanes", float64(d.VectorLanes)},
		{"hbm_ports", float64(d.HBMPorts)}, {"port_bits", float64(d.PortBits)}, {"hbm_pcs", float64(d.HBMPCs)},
		{"freq_hz", d.FreqHz}, {"launch_cycles", float64(d.LaunchCycles)}, {"burst_bytes", float64(d.BurstBytes)},
		{"attention_block_tokens", float64(d.AttentionBlockTokens)}, {"transpose_v_width", float64(d.TransposeVWidth)},
		{"weight_reuse_rows", float64(d.WeightReuseRows)}, {"weight_scale_block", float64(d.WeightScaleBlock)},
		{"weight_scale_bits", float64(d.WeightScaleBits)},
	})
	if err != nil {
		return fail("%v", err)
	}
	if (d.WeightScaleBlock > 0) != (d.WeightScaleBits > 0) {
		return fail("weight_scale_block and weight_scale_bits go together: both > 0 or both 0, got %d and %d", d.WeightScaleBlock, d.WeightScaleBits)
	}
	if _, err := ParseDataflow(string(d.Dataflow)); err != nil {
		return fail("%v", err)
	}
	style, err := ParseArrayStyle(string(d.ArrayStyle))
	if err != nil {
		return fail("%v", err)
	}
	if style == StyleDotTree && d.Dataflow != OutputStationary {
		return fail("array_style dot (dot-product trees) keeps its outputs: it needs dataflow os")
	}
	b, err := ParseBuffering(string(d.Buffering))
	if err != nil {
		return fail("%v", err)
	}
	if beat := int64(d.PortBits / 8); d.BurstBytes%beat != 0 {
		return fail("burst_bytes must be whole beats of the %d-bit ports (a multiple of %d B), got %d", d.PortBits, beat, d.BurstBytes)
	}
	if b == StreamBuffered {
		return d.checkStream(fail)
	}
	return nil
}

// checkStream reports a stream-buffered design whose FIFOs cannot hold
// one burst per port: the DMA could never issue a load into them.
func (d Design) checkStream(fail func(string, ...any) error) error {
	row := int64(d.HBMPorts) * d.Burst()
	for _, b := range []struct {
		field string
		bytes int64
	}{{"weight_buffer_bytes", d.WeightBufferBytes}, {"input_buffer_bytes", d.InputBufferBytes}, {"output_buffer_bytes", d.OutputBufferBytes}} {
		if b.bytes < row {
			return fail("buffering stream: %s %d is smaller than one burst per port (hbm_ports %d x burst %d B = %d B); give at least %d",
				b.field, b.bytes, d.HBMPorts, d.Burst(), row, row)
		}
	}
	return nil
}

// Usage is what a design takes of a board, next to what the board has.
type Usage struct {
	Resource string
	Used     float64
	Avail    float64
	Unit     string
}

// Usage lists the board resources the design uses: DSPs, on-chip memory
// (BRAM+URAM bytes), HBM ports and pseudo-channels.
func (d Design) Usage(p Platform) []Usage {
	return []Usage{
		{p.DSPName(), float64(d.DSPs()), float64(p.DSPs), "slices"},
		{"BRAM+URAM", float64(d.BufferBytes()), float64(p.OnChipBytes()), "bytes"},
		{"HBM ports", float64(d.HBMPorts), float64(p.HBM.PseudoChannels), "ports"},
		{"HBM PCs", float64(d.PCs()), float64(p.HBM.PseudoChannels), "PCs"},
	}
}

// Fit validates the design and checks that platform p can hold it. The
// error names the first resource that is short and by how much.
func (d Design) Fit(p Platform) error {
	if err := d.Validate(); err != nil {
		return err
	}
	for _, u := range d.Usage(p) {
		if u.Used > u.Avail {
			return fmt.Errorf("design %q does not fit %s: needs %.0f %s of %s, the board has %.0f (over by %.0f)",
				d.Name, p.Name, u.Used, u.Unit, u.Resource, u.Avail, u.Used-u.Avail)
		}
	}
	if d.FreqHz > p.HBM.AXIMaxFreqHz {
		return fmt.Errorf("design %q does not fit %s: freq_hz %g is above the AXI ports' limit of %g Hz",
			d.Name, p.Name, d.FreqHz, p.HBM.AXIMaxFreqHz)
	}
	return nil
}
