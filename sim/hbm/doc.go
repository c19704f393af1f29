// Package hbm is a cycle-level Akita model of the AMD Alveo U280's HBM2
// memory system as a kernel sees it: one AXI port per pseudo-channel (PC) on
// the kernel side, the segmented switch, and one controller per PC with its
// 16 banks, FR-FCFS scheduling and the HBM2 timing rules (AMD PG276; timing
// values of docs/design.md#hbm2-timing, from DRAMsim3's HBM2 configuration).
//
// Build a System with MakeBuilder, connect requesters to its AXI ports
// (System.Connect), send akita mem.ReadReq / mem.WriteReq with global byte
// addresses, run the engine, then call System.Check. Traffic is a requester
// that generates benchmark patterns; RunBenchmark wires the whole
// benchmark that `roofsim hbm` prints.
//
// Time: controllers count cycles of the 900 MHz HBM clock, AXI ports count
// cycles of the kernel clock. Every component is event-driven: it computes
// the exact cycle at which something next happens (a command becomes legal,
// a burst's data lands) and wakes up there; nothing ticks through idle
// cycles. The controllers of a System wake through one shared Calendar and
// the switch and the requester link hold their messages in time queues, so
// the engine sees one event per cycle in which anything happens, however
// many components act in it.
//
// This is a timing model: no data is stored or copied. Read responses carry
// no data, and a write request's data is only measured (len(Data)).
package hbm
