package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/cofferlabs/coffer/audit"
)

const auditUsage = `Usage:
  coffer audit verify --data-dir DIR [--root-key-file F]
  coffer audit export --data-dir DIR [--from T] [--to T]

verify checks the audit trail in DIR/audit: every record's chain, that none
is missing or out of order, and the head file that vouches for the last one.
It prints OK with counts, or the first damage (and exits 1). It only reads,
so it can run while the server does. The root key comes from COFFER_ROOT_KEY,
--root-key-file, or DIR/root.key, as for serve.

export writes the records whose time is within [--from, --to] to stdout as
JSON lines, oldest first, exactly as stored. Times are RFC 3339
(2025-03-01T12:00:00Z) or dates (2025-03-01, midnight UTC); both are optional.
`

// auditChainKey is the key the audit trail's chain is made with, derived
// from the root key with its own label so it can never stand in for
// another key made from the root key.
func auditChainKey(rootKey []byte) []byte {
	m := hmac.New(sha256.New, rootKey)
	m.Write([]byte("coffer/audit/chain/v1"))
	return m.Sum(nil)
}

// auditDir is where the trail lives in a data dir.
func auditDir(dataDir string) string { return filepath.Join(dataDir, "audit") }

func runAudit(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, auditUsage)
		return errors.New("audit needs a subcommand")
	}
	switch args[0] {
	case "verify":
		return auditVerify(args[1:], os.Stdout)
	case "export":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return auditExport(ctx, args[1:], os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(auditUsage)
		return nil
	}
	fmt.Fprint(os.Stderr, auditUsage)
	return fmt.Errorf("unknown audit subcommand %q", args[0])
}

func auditVerify(args []string, out io.Writer) error {
	fl := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	dataDir := fl.String("data-dir", "./coffer-data", "the server's data dir")
	keyFile := fl.String("root-key-file", "", "file holding the root key (base64 or hex); COFFER_ROOT_KEY wins")
	if err := fl.Parse(args); err != nil {
		return err
	}
	dir, err := existingAuditTrail(*dataDir)
	if err != nil {
		return err
	}
	rootKey, err := existingRootKey(*dataDir, *keyFile)
	if err != nil {
		return err
	}
	report, err := audit.Verify(dir, auditChainKey(rootKey))
	var damage *audit.Damage
	if errors.As(err, &damage) {
		fmt.Fprintf(out, "audit trail DAMAGED: %s at %s", damage.Kind, damage.File)
		if damage.Line > 0 {
			fmt.Fprintf(out, " line %d", damage.Line)
		}
		fmt.Fprintf(out, " (seq %d): %s\n", damage.Seq, damage.Detail)
		fmt.Fprintf(out, "%d records verified before it, in %d segment files under %s\n", report.Records, report.Segments, dir)
		return errors.New("the audit trail does not verify")
	}
	if err != nil {
		return err
	}
	printAuditReport(out, dir, report)
	return nil
}

func printAuditReport(out io.Writer, dir string, r audit.Report) {
	fmt.Fprintf(out, "audit trail OK: %d records in %d segment files under %s\n", r.Records, r.Segments, dir)
	if r.Records > 0 {
		fmt.Fprintf(out, "last record: seq %d, chain %s\n", r.LastSeq, r.LastChain)
		fmt.Fprintln(out, "(keep the last seq and chain elsewhere: a later verify that shows them proves the trail was not rolled back)")
	}
	if r.HeadSeq < r.LastSeq {
		fmt.Fprintf(out, "note: the head vouches for seq %d; later records are still being written or were written just before a crash\n", r.HeadSeq)
	}
	if r.UnsyncedTailBytes > 0 {
		fmt.Fprintf(out, "note: %d bytes after the last record are a write in progress or a crash's torn tail; the server discards them when it next starts\n", r.UnsyncedTailBytes)
	}
	if r.Recoveries > 0 {
		fmt.Fprintf(out, "note: the trail records %d crash recoveries (event %s)\n", r.Recoveries, audit.RecoveryEventName)
	}
}

func auditExport(ctx context.Context, args []string, out io.Writer) error {
	fl := flag.NewFlagSet("audit export", flag.ContinueOnError)
	dataDir := fl.String("data-dir", "./coffer-data", "the server's data dir")
	fromText := fl.String("from", "", "earliest event time (RFC 3339 or YYYY-MM-DD)")
	toText := fl.String("to", "", "latest event time (RFC 3339 or YYYY-MM-DD)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	from, err := parseAuditTime("--from", *fromText)
	if err != nil {
		return err
	}
	to, err := parseAuditTime("--to", *toText)
	if err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		return errors.New("--from is after --to")
	}
	dir, err := existingAuditTrail(*dataDir)
	if err != nil {
		return err
	}
	return audit.ExportDir(ctx, dir, out, from, to)
}

func parseAuditTime(flagName, text string) (time.Time, error) {
	if text == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, text); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: want RFC 3339 (2025-03-01T12:00:00Z) or a date (2025-03-01)", flagName, text)
}

func existingAuditTrail(dataDir string) (string, error) {
	dir := auditDir(dataDir)
	info, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no audit trail at %s (is --data-dir the server's?)", dir)
	}
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	return dir, nil
}

// existingRootKey loads the root key as serve does, but never generates
// one: a new key would only make verification fail.
func existingRootKey(dataDir, keyFile string) ([]byte, error) {
	if os.Getenv("COFFER_ROOT_KEY") == "" && keyFile == "" {
		if _, err := os.Stat(filepath.Join(dataDir, rootKeyFile)); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no root key: set COFFER_ROOT_KEY or --root-key-file (the one the server uses); %s has no %s",
				dataDir, rootKeyFile)
		}
	}
	key, _, err := loadRootKey(dataDir, keyFile)
	return key, err
}
