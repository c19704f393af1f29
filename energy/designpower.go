package energy

import "github.com/roofsim/roofsim/hw"

// DesignPowerCase is a published measurement of a whole accelerator
// design's board power on an HBM Alveo-class card, with what the model
// can take from the publication: the card and the HBM traffic. The
// design's own fabric switching has no coefficient in the model
// (docs/energy.md), so its estimate is the board's static power plus the
// HBM's power at that traffic.
type DesignPowerCase struct {
	// Name says what ran; Source where the figures are published.
	Name, Source string
	// Platform is the card the model takes the static power of.
	Platform hw.Platform
	// ReadBytesPerSec and WriteBytesPerSec are the design's HBM traffic.
	ReadBytesPerSec, WriteBytesPerSec float64
	// MeasuredW is the published board power while the design ran.
	MeasuredW float64
	// LUTs, FFs and DSPs are the design's published resource use (kernel
	// and platform shell as published; zero when not published), for the
	// reader.
	LUTs, FFs, DSPs int64
}

// ModelW is the model's power for c: the card's static power
// (hw.Platform.BoardStaticW) plus its HBM streaming c's traffic
// (HBMPowerW).
func (c DesignPowerCase) ModelW() float64 {
	return c.Platform.BoardStaticW() + HBMPowerW(c.Platform, c.ReadBytesPerSec, c.WriteBytesPerSec)
}

// Error is (model - measured) / measured.
func (c DesignPowerCase) Error() float64 { return (c.ModelW() - c.MeasuredW) / c.MeasuredW }

// The Hardcaml ZPrize NTT on the AMD Varium C1100 (hardcamls/zprize,
// ntt-results.md and ntt-bandwidth.md): a 2^24-point NTT of 64-bit values
// by the 4-step algorithm, whose two passes make four transfers of the
// whole vector through the HBM (ntt-bandwidth.md: "Of the 4 memory
// transfers over 2 passes"): two reads and two writes of 2^24 x 8 bytes
// per transform. Power is `xbutil examine --report electrical` sampled 10
// times during the benchmark. The C1100's device has the XCU50's totals
// (the page's table: 870,720 LUTs, 5,952 DSPs, 1,344 BRAM36, 640 URAM) and
// an 8 GB HBM2 pair: the model takes the U50.
const (
	zprizeNTTBytesPerPass = 1 << 24 * 8
	zprizeSource          = "hardcamls/zprize, ntt-results.md (normal-layout builds, xbutil examine --report electrical)"
	gemvSource            = "SKoulas02/Thesis, results/GEMV_Configurations.csv, board_idle_W (xbutil telemetry)"
)

// zprizeNTT is one build of the ZPrize NTT: its latency in seconds per
// transform, its measured power and its resources.
func zprizeNTT(name string, latencySec, measuredW float64, luts, ffs, dsps int64) DesignPowerCase {
	bps := 2 * zprizeNTTBytesPerPass / latencySec // two passes each way
	return DesignPowerCase{Name: name, Source: zprizeSource, Platform: hw.U50(),
		ReadBytesPerSec: bps, WriteBytesPerSec: bps, MeasuredW: measuredW, LUTs: luts, FFs: ffs, DSPs: dsps}
}

// DesignPowerCases lists the published whole-design power measurements the
// model is checked against (docs/energy.md, "Power validation").
func DesignPowerCases() []DesignPowerCase {
	return []DesignPowerCase{
		zprizeNTT("NTT 2^24, 8 cores (Varium C1100)", 0.2315, 16.97, 107291, 141006, 260),
		zprizeNTT("NTT 2^24, 16 cores (Varium C1100)", 0.1238, 18.19, 126422, 156149, 512),
		zprizeNTT("NTT 2^24, 32 cores (Varium C1100)", 0.0691, 21.13, 166488, 184436, 1028),
		zprizeNTT("NTT 2^24, 64 cores (Varium C1100)", 0.0450, 27.70, 265523, 246385, 2052),
		// MiniRocket time-series classifier, fused kernel, 3 CUs on the
		// U280 at 269 MHz: 25.7 W with xbutil, the same as 1 CU
		// ("static-dominated (<5% fabric utilization)"); the traffic is
		// not published (host-dispatched series), the model runs it idle.
		{Name: "MiniRocket, fused, 3 CUs (U280)", Source: "Rishi-Dave/MiniRocketHLS, docs/RESULTS.md (version of 2026-07-13), section 4 (xbutil examine --report electrical)",
			Platform: hw.U280(), MeasuredW: 25.7, LUTs: 92703, FFs: 159086, DSPs: 1264},
		// A sparse bf16 GEMV engine on the U280 (SKoulas02/Thesis,
		// results/GEMV_Configurations.csv, board_idle_W): the board's
		// power with the bitstream loaded and idle, for the smallest
		// build (one 4x4 engine on 6 HBM channels, 400 MHz) and the
		// largest (one 4x32 engine on 32 channels, 250 MHz). Idle: no
		// traffic. The CSV gives no LUT/FF/DSP counts (its reports are
		// in the repository), so the resources are left at zero.
		{Name: "GEMV 4x4 engine, 6 HBM channels, loaded and idle (U280)", Source: gemvSource,
			Platform: hw.U280(), MeasuredW: 25.226},
		{Name: "GEMV 4x32 engine, 32 HBM channels, loaded and idle (U280)", Source: gemvSource,
			Platform: hw.U280(), MeasuredW: 33.686},
	}
}
