package compute

import (
	"fmt"
	"slices"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/hbm"
)

// PCRouter is the Router that places the DMA's address space on a list of
// pseudo-channels. Interleaved: chunk c of InterleaveBytes goes to PC
// pcs[c mod n] at PC-local address (c / n) x InterleaveBytes (plus the
// offset in the chunk); contiguous: address a goes to PC pcs[a / PC bytes]
// at PC-local address a mod PC bytes; both expressed in the memory's global
// address space. A PC's traffic goes through the design's port of the same
// number when the design has a port per PC of the platform (each port then
// reaches its own PC without crossing the HBM switch), and through port
// (position in pcs) mod ports otherwise: with as many PCs as ports, port i
// serves the i-th PC of the list; with more PCs than ports, a port serves
// several PCs, some of them across the switch.
type PCRouter struct {
	g          uint64
	pcs        []int
	ports      []int // port of each position in pcs
	total      int   // PCs of the platform
	pcBytes    uint64
	contiguous bool
	global     func(pc int, local uint64) uint64
}

// NewPCRouter is the PCRouter over pcs (each a PC of platform p, in
// order) for a design of ports ports, in chunks of interleaveBytes (or one
// range per PC when contiguous), with global mapping a PC and a PC-local
// address to the memory's global address (hbm.AddressMap.Global).
func NewPCRouter(interleaveBytes int64, pcs []int, contiguous bool, ports int, p hw.Platform, global func(int, uint64) uint64) (*PCRouter, error) {
	if interleaveBytes <= 0 || len(pcs) == 0 || ports <= 0 || global == nil {
		return nil, fmt.Errorf("compute: placement: interleave (%d B), PCs (%d) and ports (%d) must be > 0", interleaveBytes, len(pcs), ports)
	}
	r := &PCRouter{g: uint64(interleaveBytes), pcs: slices.Clone(pcs), total: p.HBM.PseudoChannels,
		pcBytes: uint64(p.HBM.PCBytes), global: global, contiguous: contiguous}
	for i, pc := range r.pcs {
		if pc < 0 || pc >= r.total {
			return nil, fmt.Errorf("compute: placement: PC %d is not a pseudo-channel of %s (0..%d)", pc, p.Name, r.total-1)
		}
		port := i % ports
		if ports == p.HBM.PseudoChannels {
			port = pc
		}
		r.ports = append(r.ports, port)
	}
	return r, nil
}

// Route implements Router.
func (r *PCRouter) Route(a uint64) (uint64, int, int) {
	if r.contiguous {
		i := int(a / r.pcBytes)
		return r.global(r.pcs[i], a%r.pcBytes), r.ports[i], r.pcs[i]
	}
	c := a / r.g
	n := uint64(len(r.pcs))
	i := int(c % n)
	pc := r.pcs[i]
	local := c/n*r.g + a%r.g
	return r.global(pc, local), r.ports[i], pc
}

// PCs implements Router.
func (r *PCRouter) PCs() int { return r.total }

// Capacity is the bytes of the DMA's address space: the router's PCs.
func (r *PCRouter) Capacity() uint64 { return uint64(len(r.pcs)) * r.pcBytes }

// DesignPCs lists the pseudo-channels design d's data is placed on by
// default on platform p: 0 .. d.PCs()-1 (at most the platform's). A design
// with as many PCs as ports keeps each operand on the PCs of the ports
// that read it; one with hbm_pcs above its ports interleaves over more PCs
// through the switch.
func DesignPCs(d hw.Design, p hw.Platform) []int {
	pcs := make([]int, min(d.PCs(), p.HBM.PseudoChannels))
	for i := range pcs {
		pcs[i] = i
	}
	return pcs
}

// PlaceOnHBM sets opts to simulate design d on platform p's HBM model
// (HBMMemory) with the DMA's address space placed on the design's PCs
// (DesignPCs) in chunks of the DMA's interleave: each port reads its own
// PC, and a design with fewer ports than the platform has PCs no longer
// sends its traffic across the switch to PCs it has no port for.
func PlaceOnHBM(opts *Options, d hw.Design, p hw.Platform) error {
	amap, err := hbm.NewAddressMap(p.HBM, DMADefaultRequestBytes, "")
	if err != nil {
		return fmt.Errorf("compute: placement: %w", err)
	}
	rt, err := NewPCRouter(opts.DMA.InterleaveBytes, DesignPCs(d, p), false, d.HBMPorts, p, amap.Global)
	if err != nil {
		return err
	}
	opts.Memory = HBMMemory
	opts.DMA.Router = rt
	return nil
}
