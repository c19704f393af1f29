package hw

import "fmt"

// Energy coefficients. Every one has its source here; docs/energy.md lists
// them with what each leaves out. Energies are in joules, powers in watts.
//
// Arithmetic and SRAM: M. Horowitz, "Computing's energy problem (and what
// we can do about it)", ISSCC 2014, the energy table for 45 nm at 0.9 V:
// integer add 8 bit 0.03 pJ, 32 bit 0.1 pJ; integer multiply 8 bit
// 0.2 pJ, 32 bit 3.1 pJ; FP add 16 bit 0.4 pJ, 32 bit 0.9 pJ; FP multiply
// 16 bit 1.1 pJ, 32 bit 3.7 pJ; a 64-bit read of an 8 KB SRAM 10 pJ, of a
// 32 KB SRAM 20 pJ. These are ASIC figures: an FPGA's hard DSP and block
// RAM at 16 nm are not in that table, so the arithmetic and buffer energy
// is that of the operations, not of the FPGA's routing around them.
const (
	horowitzInt8MulJ  = 0.2e-12
	horowitzInt32AddJ = 0.1e-12
	horowitzFP16MulJ  = 1.1e-12
	horowitzFP32AddJ  = 0.9e-12
	horowitzFP32MulJ  = 3.7e-12
	horowitzSRAM8KJ   = 10e-12 // one 64-bit read of an 8 KB SRAM
	horowitzSRAM32KJ  = 20e-12 // one 64-bit read of a 32 KB SRAM
)

// MACEnergyJ is the energy of one multiply-accumulate of precision p: its
// multiply plus its accumulation (Horowitz 2014). FP32: FP32 multiply and
// add, 4.6 pJ. BF16: a 16-bit FP multiply and an FP32 accumulation (the
// design's BF16 MAC accumulates in FP32, BF16DSPsPerMAC), 2.0 pJ. INT8 and
// W4A8 (INT4 weights packed like INT8, W4A8DSPsPerMAC): an 8-bit multiply
// and a 32-bit accumulation, 0.3 pJ. INT4: the table has no 4-bit
// multiply; INT4 takes INT8's figure, an upper bound.
func MACEnergyJ(p Precision) (float64, error) {
	switch p.Name {
	case "fp32":
		return horowitzFP32MulJ + horowitzFP32AddJ, nil
	case "bf16":
		return horowitzFP16MulJ + horowitzFP32AddJ, nil
	case "int8", "w4a8", "int4":
		return horowitzInt8MulJ + horowitzInt32AddJ, nil
	}
	return 0, fmt.Errorf("energy: no MAC energy for precision %q (known: %s)", p.Name, PrecisionNames())
}

// VectorOpEnergyJ is the energy of one element operation of a vector
// unit: one FP32 multiply, the dearer of Horowitz's FP32 add and multiply
// (the vector kernels, norms, softmax and GELU, compute in FP32).
const VectorOpEnergyJ = horowitzFP32MulJ

// BufferEnergyJPerByte is the energy of reading or writing one byte of an
// array's buffer: the buffers are built of 36 Kb (4.5 KB) block RAMs and
// 288 Kb URAMs used side by side, each access touching one block; the
// 8 KB SRAM of Horowitz's table is the nearest size: 10 pJ per 8 bytes.
const BufferEnergyJPerByte = horowitzSRAM8KJ / 8

// StoreEnergyJPerByte is the energy of reading or writing one byte of the
// shared activation or weight store, built of 288 Kb (36 KB) URAMs: the
// 32 KB SRAM of Horowitz's table, 20 pJ per 8 bytes.
const StoreEnergyJPerByte = horowitzSRAM32KJ / 8

// HBM2 energy from DRAMsim3's HBM2 device model (umd-memsys/DRAMsim3,
// configs/HBM2_8Gb_x128.ini: VDD 1.2 V, IDD0 65, IDD2N 40, IDD3N 55,
// IDD4R 390, IDD4W 500, IDD5AB 250 mA; tCK 1 ns, tRAS 34, tRP 14,
// tRFC 260 cycles, BL4 on a 128-bit channel; energies as in its
// src/configuration.cc InitPowerParams): per 128-bit legacy channel, an
// activate costs VDD x (IDD0 x tRC - IDD3N x tRAS - IDD2N x tRP) = 828 pJ,
// a 64-byte read burst VDD x (IDD4R - IDD3N) x 2 cycles = 804 pJ, a write
// burst VDD x (IDD4W - IDD3N) x 2 = 1,068 pJ, a refresh
// VDD x (IDD5AB - IDD3N) x tRFC = 60.84 nJ, and an open-bank standby
// VDD x IDD3N = 66 mW. The U280 runs its HBM in pseudo-channel mode: a PC
// is half a channel (64 bits, 1 KB pages instead of 2 KB), so the
// per-byte energies stay and the per-activate, per-refresh and standby
// figures are halved (they scale with the row and bank width they drive).
// This is the DRAM device; the FPGA-side PHY and controller are not in it.
const (
	hbmVDD                    = 1.2
	hbmIDD0mA, hbmIDD2NmA     = 65.0, 40.0
	hbmIDD3NmA                = 55.0
	hbmIDD4RmA, hbmIDD4WmA    = 390.0, 500.0
	hbmIDD5ABmA               = 250.0
	hbmTRASns, hbmTRPns       = 34.0, 14.0
	hbmTRFCns                 = 260.0
	hbmBurstNs, hbmBurstBytes = 2.0, 64.0
	hbmPCShareOfChannel       = 0.5
	mAnsToJ                   = 1e-12 // V x mA x ns = pJ
)

// HBM energies per pseudo-channel (see the block above).
const (
	// HBMActivateEnergyJ is one row activation (with its precharge) of a PC.
	HBMActivateEnergyJ = hbmPCShareOfChannel * hbmVDD * (hbmIDD0mA*(hbmTRASns+hbmTRPns) - hbmIDD3NmA*hbmTRASns - hbmIDD2NmA*hbmTRPns) * mAnsToJ
	// HBMReadEnergyJPerByte is the read energy per byte moved.
	HBMReadEnergyJPerByte = hbmVDD * (hbmIDD4RmA - hbmIDD3NmA) * hbmBurstNs * mAnsToJ / hbmBurstBytes
	// HBMWriteEnergyJPerByte is the write energy per byte moved.
	HBMWriteEnergyJPerByte = hbmVDD * (hbmIDD4WmA - hbmIDD3NmA) * hbmBurstNs * mAnsToJ / hbmBurstBytes
	// HBMRefreshEnergyJ is one all-bank refresh of a PC.
	HBMRefreshEnergyJ = hbmPCShareOfChannel * hbmVDD * (hbmIDD5ABmA - hbmIDD3NmA) * hbmTRFCns * mAnsToJ
	// HBMStandbyWPerPC is a PC's background power with a bank open
	// (IDD3N), drawn whether or not it moves data.
	HBMStandbyWPerPC = hbmPCShareOfChannel * hbmVDD * hbmIDD3NmA * 1e-3
)

// HBM2 interface energy: M. O'Connor et al., "Fine-Grained DRAM:
// Energy-Efficient DRAM for Extreme Bandwidth Systems", MICRO 2017,
// section 2.1 (the HBM2 access energy of its Figure 1b): moving data from
// a bank's sense amplifiers to the stack's I/O bumps (on the DRAM die,
// down the TSVs and across the base die) takes 2.24 pJ/bit on average,
// "transferring the data over the I/O wires on the silicon interposer
// requires an additional 0.3 pJ/bit, considering actual application data
// toggle rates", and activation 1.21 pJ/bit on average at GPU row
// locality: 3.92 pJ/bit per access with ECC. DRAMsim3's burst currents
// (IDD4R, IDD4W) are a DRAM die's own supply current, its on-die datapath
// (1.6 and 2.1 pJ/bit, the order of O'Connor's 2.24); the interposer I/O
// is not in them, so it is a unit of its own. The FPGA side of the
// interface (the HBM controllers, the PHYs' logic and the AXI switch) has
// no published per-bit figure (XPE's HBM sheet computes it but AMD does
// not print its coefficients); it is left out (docs/energy.md).
const hbmInterposerIOJPerBit = 0.3e-12

// HBMIOEnergyJPerByte is the energy of moving one byte over the HBM2
// interposer I/O, read or written: 8 x 0.3 pJ (O'Connor et al. 2017).
const HBMIOEnergyJPerByte = 8 * hbmInterposerIOJPerBit

// U280BoardPowerLimitW is the Alveo U280's maximum total board power,
// 225 W (AMD DS963, Alveo U280 data sheet).
const U280BoardPowerLimitW = 225
