module github.com/roofsim/roofsim

go 1.26.8

require github.com/sarchlab/akita/v3 v3.1.0

require (
	github.com/google/go-cmp v0.6.0 // indirect
	github.com/rs/xid v1.5.0 // indirect
	golang.org/x/net v0.43.0 // indirect
	golang.org/x/sys v0.46.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)
