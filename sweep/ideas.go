package sweep

import (
	"fmt"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"slices"
	"strings"
)

// Idea is an acceleration idea: a named switch that edits a point's
// configuration (design, scenario, simulation options). The sweep runs
// every point without ideas (the baseline) and with each idea set of the
// space, and the report compares each idea row with its baseline.
type Idea struct {
	// Name is the switch's name in space files, flags and rows
	// (snake_case).
	Name string
	// Summary says in one line what the idea changes and why it can help.
	Summary string
	// Apply edits the configuration. It must set fields rather than
	// accumulate (applying it twice gives the same configuration): the
	// sweep applies an idea set once to the design and scenario, builds the
	// simulation options of the resulting design, and applies the set again
	// so that option edits land on those options. An error refuses the
	// point (for example an idea that has no meaning for the scenario).
	Apply func(c *Config) error
}

// Ideas returns the idea registry in its canonical order (the order idea
// sets are written in). To add an idea, add an entry here: a new name, a
// one-line summary and an Apply that sets the fields it needs (of
// Config.Design, Config.Scenario or Config.Options).
func Ideas() []Idea {
	return []Idea{
		{
			Name: "batch_cameras",
			Summary: "run all cameras through the vision encoder and the connector as one batch: " +
				"one pass over their weights for all cameras instead of one per camera (attention stays per image)",
			Apply: func(c *Config) error {
				if c.Scenario.Seed != nil {
					return fmt.Errorf("batch_cameras: the seed scenario has no per-camera kernels (use the smolvla scenario)")
				}
				c.Scenario.BatchCameras = true
				return nil
			},
		},
		{
			Name:    "port512",
			Summary: "512-bit HBM ports instead of 256-bit: twice the port bandwidth (19.2 GB/s per port at 300 MHz), up to the PC's 14.4 GB/s",
			Apply: func(c *Config) error {
				c.Design.PortBits = 512
				return nil
			},
		},
		{
			Name:    "fuse",
			Summary: "fuse each elementwise kernel into the matmul that feeds it: the vector units work on its output tiles while the arrays compute, and the intermediate is never stored",
			Apply: func(c *Config) error {
				c.Options.Fuse = true
				return nil
			},
		},
		{
			Name: "pin_weights",
			Summary: "keep the most reused weights on chip in an 8 MiB UltraRAM weight store (taken from the activation store): " +
				"no HBM traffic for them, each read through the store",
			Apply: func(c *Config) error {
				if c.Design.WeightStoreBytes == 0 {
					c.Design.WeightStoreBytes = pinStoreBytes
					c.Design.ActivationBufferBytes = max(c.Design.ActivationBufferBytes-pinStoreBytes, 0)
				}
				c.Options.PinWeights = accel.PinMostReused
				return nil
			},
		},
		{
			Name: "pipeline_slr",
			Summary: "split the arrays across the SLRs to pipeline frames: the vision encoder on all arrays but one, " +
				"the text encoder on the last, each with its own PCs",
			Apply: func(c *Config) error {
				if c.Design.Arrays < 2 {
					return fmt.Errorf("pipeline_slr: needs at least 2 arrays, the design has %d", c.Design.Arrays)
				}
				c.Options.Pipeline = &accel.Pipeline{}
				return nil
			},
		},
		{
			Name:    "interleave",
			Summary: "spread weights over all the design's PCs in 4 KiB chunks instead of a naive contiguous allocation (run it on a base with \"layout\": \"contiguous\")",
			Apply: func(c *Config) error {
				c.Options.Layout.Map = accel.LayoutInterleave
				return nil
			},
		},
		{
			Name:    "prefetch",
			Summary: "load the next kernel's first weight tiles while the current kernel runs, hiding its first load",
			Apply: func(c *Config) error {
				c.Options.PrefetchWeights = true
				return nil
			},
		},
		{
			Name: "pin_max",
			Summary: "a weight store of all the BRAM+URAM the design leaves free, most reused weights first: " +
				"the policy's action expert, read once per flow-matching step, keeps what fits on chip",
			Apply: func(c *Config) error {
				if c.Design.WeightStoreBytes == 0 {
					free := c.Platform.OnChipBytes() - c.Design.BufferBytes()
					c.Design.WeightStoreBytes = max(free/uramBlockBytes*uramBlockBytes, 0)
				}
				c.Options.PinWeights = accel.PinMostReused
				return nil
			},
		},
		{
			Name:    "all_pcs",
			Summary: "use every pseudo-channel of the board, with one port each: the memory ceiling of all the HBM",
			Apply: func(c *Config) error {
				c.Design.HBMPorts = c.Platform.HBM.PseudoChannels
				c.Design.HBMPCs = 0
				return nil
			},
		},
	}
}

// pinStoreBytes is the weight store the pin_weights idea gives a design
// that has none, taken from its activation store so that the board's
// BRAM+URAM still holds the design.
const pinStoreBytes = 8 * hw.MiB

// uramBlockBytes is the bytes of one UltraRAM block: the pin_max idea's
// store is whole blocks.
const uramBlockBytes = hw.URAMBits / 8

// IdeaNames lists the registry's idea names, separated by '|'.
func IdeaNames() string {
	var names []string
	for _, i := range Ideas() {
		names = append(names, i.Name)
	}
	return strings.Join(names, "|")
}

// IdeaByName returns the registered idea with the given name.
func IdeaByName(name string) (Idea, error) {
	for _, i := range Ideas() {
		if i.Name == name {
			return i, nil
		}
	}
	return Idea{}, fmt.Errorf("idea %q is not known (accepted: %s)", name, IdeaNames())
}

// ParseIdeaSets reads idea sets: each entry is an idea name or several
// joined by '+' ("batch_cameras+port512"). Names are checked against the
// registry and each set is put in registry order; field names the source
// in errors ("ideas", "--ideas").
func ParseIdeaSets(entries []string, field string) ([][]string, error) {
	reg := Ideas()
	order := func(name string) int {
		return slices.IndexFunc(reg, func(i Idea) bool { return i.Name == name })
	}
	var sets [][]string
	seen := map[string]bool{}
	for i, e := range entries {
		var set []string
		for _, name := range strings.Split(e, "+") {
			name = strings.TrimSpace(name)
			if order(name) < 0 {
				return nil, fmt.Errorf("%s[%d] %q is not a known idea (accepted: %s, or several joined by '+')", field, i, name, IdeaNames())
			}
			if slices.Contains(set, name) {
				return nil, fmt.Errorf("%s[%d] %q names %s twice", field, i, e, name)
			}
			set = append(set, name)
		}
		slices.SortFunc(set, func(a, b string) int { return order(a) - order(b) })
		k := strings.Join(set, "+")
		if seen[k] {
			return nil, fmt.Errorf("%s[%d] repeats the idea set %s", field, i, k)
		}
		seen[k] = true
		sets = append(sets, set)
	}
	return sets, nil
}
