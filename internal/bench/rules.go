package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/rulepack"
	"github.com/idsentry/idsentry/internal/sigma"
)

// Rules is the rule set the measured stages run: the built-in pack plus
// every SigmaHQ rule whose logsource product idsentry reads.
type Rules struct {
	// Parsed are the rule documents (linked by detect.Build).
	Parsed []*sigma.Rule
	// Pack is the compiled pack.
	Pack *detect.Pack
	// SigmaFiles counts the SigmaHQ files loaded.
	SigmaFiles int
}

// sigmaProducts are the logsource products idsentry reads
// (compile.Routes).
var sigmaProducts = []string{"azure", "m365", "aws", "kubernetes"}

// sigmaDirs are the rule trees of a SigmaHQ checkout, and sigmaSubtrees
// the folders in each that hold the rules of sigmaProducts (SigmaHQ files
// rules by product: cloud/aws, cloud/azure, cloud/m365 and
// application/kubernetes). Reading only those keeps rule loading, a fixed
// cost of every run, as cheap as `idsentry scan --rules` on the same
// folders.
var (
	sigmaDirs     = []string{"rules", "rules-threat-hunting", "rules-emerging-threats"}
	sigmaSubtrees = []string{"cloud", filepath.Join("application", "kubernetes")}
)

// LoadRules parses and builds the built-in pack and, when sigmaDir is not
// empty, every rule file under its rule trees whose logsource product is one
// idsentry reads. Rules that do not compile are problems in the pack, as
// they are for `idsentry scan --rules`.
func LoadRules(sigmaDir string) (*Rules, error) {
	srcs := []detect.Source{rulepack.Source()}
	files, err := SigmaFiles(sigmaDir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		srcs = append(srcs, detect.DiskSource(f))
	}
	parsed, probs, err := detect.Parse(srcs...)
	if err != nil {
		return nil, err
	}
	pack := detect.Build(parsed, probs, detect.Options{})
	return &Rules{Parsed: parsed, Pack: pack, SigmaFiles: len(files)}, nil
}

// SigmaFiles lists the rule files of a SigmaHQ checkout whose logsource
// product is one idsentry reads, in its cloud and application/kubernetes
// folders. An empty dir lists nothing.
func SigmaFiles(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("sigma rules: %w", err)
	}
	var out []string
	var roots []string
	for _, d := range sigmaDirs {
		for _, sub := range sigmaSubtrees {
			roots = append(roots, filepath.Join(dir, d, sub))
		}
	}
	for _, root := range roots {
		if _, err := os.Stat(root); err != nil {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if readsProduct(data) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sigma rules: %w", err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sigma rules: no rule for %s under %s", strings.Join(sigmaProducts, ", "), dir)
	}
	return out, nil
}

// readsProduct reports whether a rule file names one of sigmaProducts in
// its logsource.
func readsProduct(data []byte) bool {
	for _, l := range bytes.Split(data, []byte("\n")) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(l), []byte(":"))
		if !ok || string(k) != "product" {
			continue
		}
		v = bytes.Trim(bytes.TrimSpace(v), `'"`)
		for _, p := range sigmaProducts {
			if string(v) == p {
				return true
			}
		}
	}
	return false
}
