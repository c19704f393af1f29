package hw

// Static power of the board and the device: what an HBM Alveo card draws
// with its shell loaded and no kernel running. No XPE export or data-sheet
// figure for the XCU280's static power was at hand; the one published
// measurement of an idle HBM Alveo card found is an AMD XRT pull request
// (Xilinx/XRT #5184, `xbutil examine` on an Alveo U50, no xclbin loaded):
// the card's 12 V PCIe rail 12.213 V x 1.363 A and its 3.3 V PCIe rail
// 3.300 V x 0.223 A (the U50 takes all its power from the slot), of which
// the FPGA's core rail VCCINT is 0.849 V x 4.100 A. That is the device's
// static power and the shell's clocks and logic, the HBM controllers and
// PHYs powered up and idle, the HBM stacks idle and refreshing, and the
// board's regulators, PCIe and sensors.
const (
	u50Idle12VPEXVolts, u50Idle12VPEXAmps = 12.213, 1.363
	u50Idle3V3PEXVolts, u50Idle3V3PEXAmps = 3.300, 0.223
	u50IdleVCCINTVolts, u50IdleVCCINTAmps = 0.849, 4.100
	// u50SLRs: the U50's XCU50 is built from two SLRs (SLR0 and SLR1 of
	// its Vitis platforms, UG1393); the XCU280 from three.
	u50SLRs = 2
)

// U50IdleBoardW is the measured idle power of the U50 card (XRT #5184):
// the two PCIe rails, 17.38 W.
const U50IdleBoardW = u50Idle12VPEXVolts*u50Idle12VPEXAmps + u50Idle3V3PEXVolts*u50Idle3V3PEXAmps

// u50IdleVCCINTW is the U50's idle core-rail power (XRT #5184), 3.48 W.
const u50IdleVCCINTW = u50IdleVCCINTVolts * u50IdleVCCINTAmps

// HBMIdleWPerPC is a pseudo-channel's background power with its banks
// precharged, as an idle card keeps them: VDD x IDD2N (DRAMsim3's HBM2
// model, 1.2 V x 40 mA per channel), halved per pseudo-channel.
const HBMIdleWPerPC = hbmPCShareOfChannel * hbmVDD * hbmIDD2NmA * 1e-3

// HBMIdleW is the idle power the energy model gives the HBM stacks of p:
// every pseudo-channel's precharged background (HBMIdleWPerPC) plus its
// refreshes, one per tREFI at HBMRefreshEnergyJ each.
func (p Platform) HBMIdleW() float64 {
	refreshW := 0.0
	if p.HBM.Timing.TREFINs > 0 {
		refreshW = HBMRefreshEnergyJ / (p.HBM.Timing.TREFINs * 1e-9)
	}
	return float64(p.HBM.PseudoChannels) * (HBMIdleWPerPC + refreshW)
}

// BoardStaticW is the static power of a card of p's kind, without its HBM
// DRAM (which the energy model counts by its own activity, standby and
// refreshes): the measured idle U50 (U50IdleBoardW) with its core rail
// scaled from the U50's two SLRs to p's (leakage and the idle clock tree
// grow with the fabric; the other rails, HBM PHYs, controllers and board,
// are the same parts on both cards), less the model's idle HBM power
// (HBMIdleW) so that it is not counted twice. For the U280 that is
// 17.38 - 3.48 + 3.48 x 3/2 - 1.02 = 18.10 W. An approximation: the
// U280's DDR4 DIMMs, fan and QSFP cages are not on the U50 and are not in
// the figure.
func (p Platform) BoardStaticW() float64 {
	slrs := max(p.SLRs, 1)
	return U50IdleBoardW - u50IdleVCCINTW + u50IdleVCCINTW*float64(slrs)/u50SLRs - p.HBMIdleW()
}
