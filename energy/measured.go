package energy

import "github.com/roofsim/roofsim/hw"

// HBMPowerW is the energy model's power of p's HBM stacks streaming
// readBytesPerSec and writeBytesPerSec: every pseudo-channel's standby
// with a bank open (hw.HBMStandbyWPerPC), its refreshes (one per tREFI),
// the bytes at hw.HBMReadEnergyJPerByte and hw.HBMWriteEnergyJPerByte plus
// the interposer I/O (hw.HBMIOEnergyJPerByte), and
// one activate per page of data moved (a linear stream opens each row
// once). With nothing moving it is the idle power hw.Platform.HBMIdleW
// (banks precharged).
func HBMPowerW(p hw.Platform, readBytesPerSec, writeBytesPerSec float64) float64 {
	moved := readBytesPerSec + writeBytesPerSec
	if moved <= 0 {
		return p.HBMIdleW()
	}
	refreshW := p.HBMIdleW() - float64(p.HBM.PseudoChannels)*hw.HBMIdleWPerPC
	w := float64(p.HBM.PseudoChannels)*hw.HBMStandbyWPerPC + refreshW
	w += readBytesPerSec*hw.HBMReadEnergyJPerByte + writeBytesPerSec*hw.HBMWriteEnergyJPerByte + moved*hw.HBMIOEnergyJPerByte
	if p.HBM.PageBytes > 0 {
		w += moved / float64(p.HBM.PageBytes) * hw.HBMActivateEnergyJ
	}
	return w
}

// HBMPowerCase is a published measurement of an HBM card's memory power
// with the traffic it was measured at.
type HBMPowerCase struct {
	// Name says what ran; Source where the figure is published.
	Name, Source string
	// ReadBytesPerSec and WriteBytesPerSec are the traffic of all 32
	// pseudo-channels together.
	ReadBytesPerSec, WriteBytesPerSec float64
	// MeasuredW is the published power.
	MeasuredW float64
	// Scope says what the measured figure covers beyond the HBM stacks.
	Scope string
}

// The figures of AMD's xbtest calibration of the Alveo U50LV
// (Xilinx/xbtest, doc/main/checklist, xilinx-u50lv-gen3x4-xdma-base-2
// checklist, "Calibration - Memory CU power" and the platform's cu_rate
// and cu_bw): the U50's HBM is powered only from its 3.3 V PCIe rail,
// whose 10 W throttle limit less 20% (8 W) is reached at a memory-CU rate
// of 50% reading (3,814 MB/s per channel), 57% writing (4,410 MB/s) and
// 26% doing both (2,026 MB/s each way); 32 channels.
const (
	xbtestRailW           = 8.0
	xbtestChannels        = 32
	xbtestReadMBps        = 3814
	xbtestWriteMBps       = 4410
	xbtestSimulMBpsPerDir = 2026
)

// HBMPowerCases lists the published HBM power measurements the model is
// checked against (docs/energy.md, "Power validation").
func HBMPowerCases() []HBMPowerCase {
	const mb = 1e6
	xbtest := "AMD xbtest checklist, Alveo U50LV (xilinx-u50lv-gen3x4-xdma-base-2): 3v3_pex at 20% below its 10 W throttle limit, cu_rate and cu_bw"
	return []HBMPowerCase{
		{Name: "U50 idle, no xclbin", Source: "Xilinx/XRT #5184, xbutil examine: 3v3_pex 3.300 V x 0.223 A",
			MeasuredW: 3.300 * 0.223, Scope: "the HBM stacks (the U50's only 3.3 V load) and their regulators"},
		{Name: "U50LV HBM read, 50% rate", Source: xbtest, ReadBytesPerSec: xbtestChannels * xbtestReadMBps * mb,
			MeasuredW: xbtestRailW, Scope: "the HBM stacks and their regulators"},
		{Name: "U50LV HBM write, 57% rate", Source: xbtest, WriteBytesPerSec: xbtestChannels * xbtestWriteMBps * mb,
			MeasuredW: xbtestRailW, Scope: "the HBM stacks and their regulators"},
		{Name: "U50LV HBM read and write, 26% rate", Source: xbtest,
			ReadBytesPerSec: xbtestChannels * xbtestSimulMBpsPerDir * mb, WriteBytesPerSec: xbtestChannels * xbtestSimulMBpsPerDir * mb,
			MeasuredW: xbtestRailW, Scope: "the HBM stacks and their regulators"},
		{Name: "HBM memory test, 32 channels at full rate", Source: "AMD xbtest checklist, Calibration - Memory CU power: up to 40 W at 400 GB/s (a rough estimation)",
			ReadBytesPerSec: 200e9, WriteBytesPerSec: 200e9, MeasuredW: 40,
			Scope: "the whole memory test: HBM stacks, the FPGA's controllers, PHYs and switch, and the memory CU"},
	}
}

// Error is the model's relative error on case c for platform p's HBM:
// (model - measured) / measured.
func (c HBMPowerCase) Error(p hw.Platform) float64 {
	return (HBMPowerW(p, c.ReadBytesPerSec, c.WriteBytesPerSec) - c.MeasuredW) / c.MeasuredW
}
