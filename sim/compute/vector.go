package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"

	"github.com/roofsim/roofsim/workload"
)

// VectorMinChunks is the fewest chunks a vector unit cuts its rows into
// (when it has that many rows): the next chunk's load and the previous
// chunk's store overlap the current chunk's work, so the first load and the
// last store, which nothing overlaps, are an eighth of the operands each
// instead of all of them.
const VectorMinChunks = 8

// planVector plans an elementwise kernel: its rows are split evenly over
// the vector units, and each unit walks its rows in chunks that fit its
// input, weight and output buffers, at least VectorMinChunks of them.
func planVector(k workload.Kernel, cfg planConfig) (*Plan, error) {
	d := cfg.design
	prec := d.Precision
	aBits, wBits := int64(prec.ActBits), int64(prec.WeightBits)
	rows := k.M * k.Batch
	a := cfg.arrays
	per := ceilDiv(rows, a)
	lanes := int64(d.VectorLanes)
	if lanes <= 0 {
		return nil, fmt.Errorf("compute: design %q: vector_lanes must be > 0, got %d", d.Name, d.VectorLanes)
	}
	// Bytes of one row of each operand, rounded up.
	inRow := bytesOf(ceilDiv(k.InputElems, rows), aBits)
	outRow := bytesOf(ceilDiv(k.OutputElems, rows), aBits)
	streamW := k.WeightElems > 0
	wRow := int64(0)
	if streamW {
		wRow = bytesOf(ceilDiv(k.WeightElems, rows), wBits) + bytesOf(ceilDiv(k.BiasElems, rows), aBits)
	}
	if d.Buffering == hw.StreamBuffered {
		cfg.inHalf = streamCap(d, d.InputBufferBytes, inRow)
		cfg.oHalf = streamCap(d, d.OutputBufferBytes, outRow)
		cfg.wHalf = streamCap(d, d.WeightBufferBytes, max(wRow, bytesOf(k.BiasElems, aBits)))
	}
	mt := per
	limit := func(half, row int64, field string) error {
		if row == 0 {
			return nil
		}
		if row > half {
			return fmt.Errorf("compute: design %q: %s %d is too small for kernel %s: each half of the double buffer must hold one row, %d bytes; give at least %d",
				d.Name, field, 2*half, k.Name, row, 2*row)
		}
		mt = min(mt, half/row)
		return nil
	}
	if err := limit(cfg.inHalf, inRow, "input_buffer_bytes"); err != nil {
		return nil, err
	}
	if err := limit(cfg.oHalf, outRow, "output_buffer_bytes"); err != nil {
		return nil, err
	}
	if err := limit(cfg.wHalf, wRow, "weight_buffer_bytes"); err != nil {
		return nil, err
	}
	params := int64(0)
	if !streamW && k.BiasElems > 0 {
		params = bytesOf(k.BiasElems, aBits)
		if params > cfg.wHalf {
			return nil, fmt.Errorf("compute: design %q: weight_buffer_bytes %d is too small for kernel %s: each half of the double buffer must hold its parameters, %d bytes; give at least %d",
				d.Name, 2*cfg.wHalf, k.Name, params, 2*params)
		}
	}
	// At least VectorMinChunks chunks per unit, so that loads and stores
	// overlap the work.
	mt = max(1, min(mt, ceilDiv(per, VectorMinChunks)))
	chunks := ceilDiv(per, mt)
	p := &Plan{
		Kernel: k, Engine: EngineVector, Arrays: int(a),
		TileM: mt, TileK: 1, TileN: k.N, Order: OrderRows, Steps: int(chunks),
	}
	src := &vectorSource{ws: make([][]*work, a)}
	ops := func(r0, r1 int64) int64 {
		if x, ok := cfg.vectorOps[k.Kind]; ok {
			return x * share(k.OutputElems, r0, r1, rows)
		}
		return share(k.Ops, r0, r1, rows)
	}
	p.PredictedComputeCycles = make([]int64, a)
	for ci := range chunks {
		for ai := range a {
			r0 := ai*per + ci*mt
			r1 := min(rows, min((ai+1)*per, r0+mt))
			if r0 >= r1 {
				continue
			}
			w := &work{step: int(ci), array: int(ai), store: true}
			w.keys[Inputs] = tileKey{valid: true, b: ai, i: ci}
			w.bytes[Inputs] = bytesOf(share(k.InputElems, r0, r1, rows), aBits)
			switch {
			case streamW:
				w.keys[Weights] = tileKey{valid: true, b: ai, i: ci}
				w.bytes[Weights] = bytesOf(share(k.WeightElems, r0, r1, rows), wBits) + bytesOf(share(k.BiasElems, r0, r1, rows), aBits)
			case params > 0:
				w.keys[Weights] = tileKey{valid: true, b: -1}
				w.bytes[Weights] = params
			}
			w.keys[Outputs] = tileKey{valid: true, b: ai, i: ci}
			w.bytes[Outputs] = bytesOf(share(k.OutputElems, r0, r1, rows), aBits)
			w.vectorOps = ops(r0, r1)
			w.vectorCycles = ceilDiv(w.vectorOps, lanes)
			src.ws[ai] = append(src.ws[ai], w)
			p.PredictedComputeCycles[ai] += w.vectorCycles
		}
	}
	src.layout(p.Steps, cfg.burstBytes, cfg.regionBytes)
	p.src = src
	return p, nil
}
