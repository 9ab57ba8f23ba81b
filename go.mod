module github.com/govirt/govirt

go 1.26.8
