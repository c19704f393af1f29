// Package sweep runs design-space sweeps: the cartesian product of design
// and scenario parameters, each point with and without acceleration ideas,
// simulated in parallel and checked against the roofline, one row per
// point; and the analysis of a sweep's rows for its report (Records, the
// Pareto front, the best design per precision, the ideas' speed-ups and
// their reasons), which package report renders as tables and plots.
//
// # Space
//
// A space (ParseSpace, LoadSpace) is a JSON object:
//
//	{
//	  "name": "...",                      optional, for reports
//	  "base": {                           what every point starts from
//	    "platform": "u280",               preset or .json file
//	    "design": "int8",                 preset or .json file; absent: each
//	                                      point starts from its precision's preset
//	    "scenario": "smolvla",            preset or Hugging Face config.json
//	    "memory": "hbm",                  hbm | ideal
//	    "cameras": 3, "frames": 1, "image_size": 512, "lang_tokens": 48,
//	    "text_layers": 16, "lm_head": false
//	  },
//	  "axes": {                           lists of values; the product is the space
//	    "design": [...], "precision": [...], "array": ["64x64"], "arrays": [3],
//	    "dataflow": ["os", "ws"], "weight_buffer": ["2MiB"], "input_buffer": [...],
//	    "output_buffer": [...], "activation_buffer": [0, "16MiB"],
//	    "hbm_ports": [16, 32], "port_bits": [256, 512], "hbm_pcs": [32],
//	    "cameras": [1, 3], "frames": [1, 2]
//	  },
//	  "ideas": ["batch_cameras", "port512", "batch_cameras+port512"]
//	}
//
// Parsing is strict: an unknown field, a wrong type or a value out of range
// is an error naming the field ("axes.port_bits[1] must be 256 or 512, got
// 384") and the accepted values. Points builds every point and validates
// its design and scenario before any point runs.
//
// A point's design is the axis design, else base.design, else the built-in
// design of the point's precision (int8 without a precision axis); the
// precision axis replaces the precision of a named design (keeping its
// arrays, as roofsim gemm --design --precision does); the other design axes
// replace their fields. The scenario is base.scenario with the base's
// overrides, then the cameras and frames axes.
//
// # Points, keys, shards
//
// Points are enumerated with the axes in the order above, the first
// slowest, and the idea sets innermost: the baseline (no idea), then each
// set of "ideas" in the order given. A point's Index is its position in
// the whole space and its Key names its swept values and idea set
// ("precision=int4 port_bits=512 ideas=none"; "base" for a space without
// axes or ideas). Shard I/N holds the points whose index modulo N is I
// (round-robin, so every shard gets its share of every axis).
//
// # Ideas
//
// An idea is a named switch of the registry in package ideas (shared with
// roofsim run and compare) whose Apply edits the point's ideas.Config: its
// design, scenario and simulation options. ideas.Apply applies a set to the
// design and scenario, builds the options of the resulting design
// (accel.DefaultOptions with the space's memory model and base layout), and
// applies the set again so that option edits land on them; an Apply must
// therefore set fields rather than accumulate. To add an idea, add an entry
// to ideas.All.
//
// # Rows
//
// Each point gives one Row (Columns lists the columns and what they hold):
// the index, key and status, the point's parameters before its ideas (so an
// idea row and its baseline have the same parameters), the results of the
// simulated forward pass checked by validation.Compare (its compute and
// memory floors split bound_ms by the ceiling that bounds each kernel, so
// they add up to it), and a reason. The
// status is ok (every kernel passed), fail (some kernel failed a check:
// the reason lists them), does_not_fit (hw.Design.Fit's reason; not
// simulated) or error (the simulation's message). Rows are written as CSV
// (a header line, then a line per point) or JSON lines (an object per
// point, keys in column order), in point order, each as soon as it and the
// rows before it are done; a run's file is byte-identical whatever the
// number of workers, resumed (OpenOutput) or sharded and merged (Merge).
//
// # Evaluator
//
// An Evaluator simulates one point; Simulation is sim/accel's Run. Each
// call builds its own engine, so the Runner's workers share nothing
// mutable.
package sweep
