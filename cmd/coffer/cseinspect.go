package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/cofferlabs/coffer/cse"
)

const cseUsage = `Usage:
  coffer cse inspect [flags] s3://BUCKET/KEY

Shows how an object is client-side encrypted, without decrypting it and
without any key: its format (V1, V2, V3), content and key-wrapping
algorithms, the KMS key and encryption context (or, for AES and RSA keys, the
material description), where the envelope lives (the object's metadata or
KEY.instruction) and the plaintext size when recorded.

Flags:
  --json                   print one JSON object instead of text
  --endpoint-url URL, --ca-bundle FILE, --region R, --profile NAME
                           as for coffer cp (the standard AWS credential
                           sources apply)

Exit codes:
  0  shown
  1  failed: S3 or the network (the message says which)
  2  the command line is wrong
  5  cse.ErrNotEncrypted, cse.ErrMissingMetadata or cse.ErrUnsupportedFormat:
     the object is not client-side encrypted in a format read here
`

// inspectCommand is a parsed `coffer cse inspect` command line.
type inspectCommand struct {
	object  s3URL
	aws     awsFlags
	jsonOut bool
}

func parseInspectArgs(args []string) (inspectCommand, error) {
	var cmd inspectCommand
	if len(args) == 0 {
		return cmd, errors.New("cse needs a subcommand: inspect")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		return cmd, flag.ErrHelp
	}
	if args[0] != "inspect" {
		return cmd, fmt.Errorf("unknown cse subcommand %q (there is: inspect)", args[0])
	}
	fl := flag.NewFlagSet("cse inspect", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	cmd.aws.register(fl)
	fl.BoolVar(&cmd.jsonOut, "json", false, "")
	positional, err := parseInterleaved(fl, args[1:])
	if err != nil {
		return cmd, err
	}
	if err := refuseEmptyFlags(fl); err != nil {
		return cmd, err
	}
	if len(positional) != 1 {
		return cmd, fmt.Errorf("cse inspect takes one s3://BUCKET/KEY, got %d arguments", len(positional))
	}
	u, isS3, err := parseS3URL(positional[0])
	switch {
	case err != nil:
		return cmd, err
	case !isS3 || u.key == "" || strings.HasSuffix(u.key, "/"):
		return cmd, fmt.Errorf("%q is not an object: write s3://BUCKET/KEY", positional[0])
	}
	cmd.object = u
	return cmd, nil
}

// runCSE is `coffer cse`: it exits with the documented code itself.
func runCSE(args []string) error {
	cmd, err := parseInspectArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(cseUsage)
		return nil
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "coffer cse: %v\n(coffer cse --help tells how)\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = cmd.run(ctx, os.Stdout)
	stop()
	if err != nil {
		msg, code := describeFailure(err)
		fmt.Fprintf(os.Stderr, "coffer cse inspect: %s\n", msg)
		os.Exit(code)
	}
	return nil
}

func (cmd inspectCommand) run(ctx context.Context, out io.Writer) error {
	clients, err := cmd.aws.connect(ctx)
	if err != nil {
		return err
	}
	env, err := cse.Inspect(ctx, clients.s3, cmd.object.bucket, cmd.object.key)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd.object, err)
	}
	report := newInspectReport(cmd.object, env)
	if cmd.jsonOut {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	_, err = io.WriteString(out, report.text())
	return err
}

// inspectReport is what `coffer cse inspect` prints; its JSON form is a
// stable interface for scripts.
type inspectReport struct {
	Object            string `json:"object"`
	Format            string `json:"format"`
	ContentAlgorithm  string `json:"contentAlgorithm"`
	WrappingAlgorithm string `json:"wrappingAlgorithm"`
	KMSKeyID          string `json:"kmsKeyId,omitempty"`
	// Context is the KMS encryption context for KMS wrapping
	// (ContextKind "encryption-context"), the material description of AES
	// and RSA wrapping otherwise ("material-description").
	Context          map[string]string `json:"context"`
	ContextKind      string            `json:"contextKind"`
	MetadataLocation string            `json:"metadataLocation"`
	InstructionFile  string            `json:"instructionFile,omitempty"`
	PlaintextSize    *int64            `json:"plaintextSize"` // null when not recorded
}

// instructionSuffix names an object's instruction file: KEY + suffix.
const instructionSuffix = ".instruction"

func newInspectReport(object s3URL, env *cse.Envelope) inspectReport {
	r := inspectReport{
		Object: object.String(), Format: env.Format, ContentAlgorithm: env.ContentAlg,
		WrappingAlgorithm: env.WrapAlg, KMSKeyID: env.KMSKeyID, MetadataLocation: env.Location,
	}
	r.Context = env.Context
	if r.Context == nil {
		r.Context = map[string]string{}
	}
	r.ContextKind = "material-description"
	if strings.HasPrefix(env.WrapAlg, "kms") {
		r.ContextKind = "encryption-context"
	}
	if env.Location == "instruction-file" {
		r.InstructionFile = object.key + instructionSuffix
	}
	if env.PlaintextSize >= 0 {
		size := env.PlaintextSize
		r.PlaintextSize = &size
	}
	return r
}

// text renders the report for a person.
func (r inspectReport) text() string {
	var b strings.Builder
	row := func(name, value string) { fmt.Fprintf(&b, "  %-22s %s\n", name+":", value) }
	fmt.Fprintf(&b, "%s\n", r.Object)
	row("format", r.Format)
	row("content algorithm", r.ContentAlgorithm)
	row("wrapping algorithm", r.WrappingAlgorithm)
	switch {
	case r.KMSKeyID != "":
		row("KMS key", r.KMSKeyID)
	case r.ContextKind == "encryption-context":
		row("KMS key", "not recorded (the wrapped data key names it to the KMS)")
	}
	row(strings.ReplaceAll(r.ContextKind, "-", " "), renderPairs(r.Context))
	where := r.MetadataLocation
	switch r.MetadataLocation {
	case "metadata":
		where = "object metadata"
	case "instruction-file":
		where = "instruction file " + r.InstructionFile
	}
	row("envelope in", where)
	size := "not recorded"
	if r.PlaintextSize != nil {
		size = fmt.Sprintf("%d bytes", *r.PlaintextSize)
	}
	row("plaintext size", size)
	return b.String()
}

// renderPairs shows a map as sorted k=v pairs, quoting what needs it.
func renderPairs(m map[string]string) string {
	if len(m) == 0 {
		return "(none)"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, quoteIfNeeded(k)+"="+quoteIfNeeded(m[k]))
	}
	return strings.Join(parts, " ")
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"=\\") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Sprintf("%q", s)
	}
	return s
}
