// Package ideas is the one registry of acceleration ideas: named switches
// that edit a configuration (design, scenario, simulation options).
// `roofsim run --ideas`, `roofsim compare --ideas` and the idea sets of
// `roofsim sweep` all apply them through Apply. To add an idea, add an
// entry to All (a name, a one-line summary and an Apply) and a case to its
// test; nothing else changes.
package ideas

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// Config is everything one simulation runs with: what the ideas edit.
type Config struct {
	// Platform is the board.
	Platform hw.Platform
	// Design is the accelerator.
	Design hw.Design
	// Scenario is the workload.
	Scenario workload.Scenario
	// Options are the simulation's options: the caller's options of the
	// design (after the ideas' design edits), then the ideas' option edits.
	Options accel.Options
}

// Idea is an acceleration idea: a named switch that edits a configuration
// (design, scenario, simulation options). A run applies one set of ideas;
// the sweep runs every point without ideas (the baseline) and with each
// idea set of the space, and its report compares each idea row with its
// baseline.
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

// All returns the idea registry in its canonical order (the order idea
// sets are written in). To add an idea, add an entry here: a new name, a
// one-line summary and an Apply that sets the fields it needs (of
// Config.Design, Config.Scenario or Config.Options).
func All() []Idea {
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

// Names lists the registry's idea names, separated by '|'.
func Names() string {
	var names []string
	for _, i := range All() {
		names = append(names, i.Name)
	}
	return strings.Join(names, "|")
}

// ByName returns the registered idea with the given name.
func ByName(name string) (Idea, error) {
	for _, i := range All() {
		if i.Name == name {
			return i, nil
		}
	}
	return Idea{}, fmt.Errorf("idea %q is not known (accepted: %s)", name, Names())
}

// Summary is the registry's summary of each idea of a set ("a+b").
func Summary(set string) string {
	var s []string
	for _, name := range strings.Split(set, "+") {
		if i, err := ByName(name); err == nil {
			s = append(s, i.Summary)
		} else {
			s = append(s, name+": not in this roofsim's registry")
		}
	}
	return strings.Join(s, "; ")
}

// ParseSets reads idea sets: each entry is an idea name or several
// joined by '+' ("batch_cameras+port512"). Names are checked against the
// registry and each set is put in registry order; field names the source
// in errors ("ideas", "--ideas").
func ParseSets(entries []string, field string) ([][]string, error) {
	reg := All()
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
				return nil, fmt.Errorf("%s[%d] %q is not a known idea (accepted: %s, or several joined by '+')", field, i, name, Names())
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

// ParseSet reads one idea set given as a list ("fuse,prefetch", as
// `roofsim run --ideas` takes it; '+' joins names too), checked against
// the registry and put in registry order. An empty list is no idea.
func ParseSet(list, field string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	sets, err := ParseSets([]string{strings.ReplaceAll(list, ",", "+")}, field)
	if err != nil {
		return nil, err
	}
	return sets[0], nil
}

// OptionsFunc builds the simulation options of a design on a platform
// before any idea: the caller's memory model, layout and switches.
type OptionsFunc func(d hw.Design, p hw.Platform) accel.Options

// Apply applies an idea set (names of the registry) to a configuration and
// builds its simulation options: the ideas edit the design and scenario,
// options builds the options of the resulting design, and the ideas are
// applied again so that their option edits land on those options (an idea
// must be idempotent: the second pass must not change the design or
// scenario). The result's design and scenario are validated; the board
// fit is the caller's.
func Apply(base Config, set []string, options OptionsFunc) (Config, error) {
	var ideas []Idea
	for _, name := range set {
		idea, err := ByName(name)
		if err != nil {
			return Config{}, err
		}
		ideas = append(ideas, idea)
	}
	return apply(base, ideas, options)
}

// apply is Apply over the ideas themselves (tests pass ideas that are not
// in the registry).
func apply(base Config, ideas []Idea, options OptionsFunc) (Config, error) {
	c := base
	var names []string
	for _, i := range ideas {
		names = append(names, i.Name)
	}
	set := strings.Join(names, "+")
	each := func() error {
		for _, idea := range ideas {
			if err := idea.Apply(&c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := each(); err != nil {
		return Config{}, err
	}
	d, sc := c.Design, c.Scenario
	c.Options = options(c.Design, c.Platform)
	if err := each(); err != nil {
		return Config{}, err
	}
	if !reflect.DeepEqual(d, c.Design) || !reflect.DeepEqual(sc, c.Scenario) {
		return Config{}, fmt.Errorf("ideas %s: applying them twice changed the design or scenario (an idea must set fields, not accumulate)", set)
	}
	if err := c.Design.Validate(); err != nil {
		return Config{}, fmt.Errorf("ideas %s: %w", set, err)
	}
	if err := c.Scenario.Validate(); err != nil {
		return Config{}, fmt.Errorf("ideas %s: %w", set, err)
	}
	return c, nil
}
