// Package validation holds the analytical roofline of DESIGN.md, the
// comparison of simulated results with it, and the reports roofsim prints:
// tables in text, CSV, JSON and Markdown, and roofline plots.
package validation
