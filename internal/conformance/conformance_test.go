package conformance_test

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/govirt/govirt/internal/cli"
	"github.com/govirt/govirt/internal/conformance"
	"github.com/govirt/govirt/internal/drivers"
)

const corpus = "../../../shared/conformance/libvirt-9.0.0"

// readFloors reads floors.txt: "FOLDER COUNT" lines.
func readFloors(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open("floors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	floors := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, num, ok := strings.Cut(line, " ")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if !ok || err != nil {
			t.Fatalf("floors.txt: bad line %q", line)
		}
		floors[name] = n
	}
	return floors
}

// TestAgreementFloor runs the whole shared corpus and fails when a folder
// agrees with libvirt on fewer cases than its recorded floor.
func TestAgreementFloor(t *testing.T) {
	if _, err := os.Stat(corpus); err != nil {
		t.Fatalf("corpus not found at %s: %v", corpus, err)
	}
	drivers.RegisterDefaults()
	res, err := conformance.Run(context.Background(), corpus, nil, cli.Main)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	conformance.Report(&report, res, testing.Verbose())
	t.Log("\n" + report.String())
	floors := readFloors(t)
	seen := map[string]bool{}
	for _, f := range res {
		seen[f.Name] = true
		if got, want := f.Agreed(), floors[f.Name]; got < want {
			t.Errorf("%s: %d/%d agree, below the floor of %d", f.Name, got, len(f.Cases), want)
		}
	}
	for name := range floors {
		if !seen[name] {
			t.Errorf("folder %s has a floor but was not run", name)
		}
	}
}
