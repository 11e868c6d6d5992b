package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/cofferlabs/coffer/opsapi"
)

const adminUsage = `Usage:
  coffer admin rotate-master-key [flags]
      start a new SSE-S3 master key version; new objects use it
  coffer admin rewrap [flags]
      re-seal every object and upload key under the current master key
  coffer admin rewrap --bucket B --kms-key-id K [--bucket-key] [flags]
      change every object of bucket B to SSE-KMS under the KMS key K (key id,
      key ARN, alias or alias ARN; checked once, before anything changes), on
      an S3 Bucket Key with --bucket-key. Only data keys are re-wrapped: data,
      ETags, checksums and dates stay. Objects already under K are skipped
      without a KMS call; an interrupted run resumes where it stopped when the
      same command runs again. Objects written meanwhile keep the encryption
      their writer asked for, and pending multipart uploads are left alone:
      set the bucket's default encryption to K first (aws s3api
      put-bucket-encryption) so that new objects land under K too.

Flags:
  --endpoint URL      server (default http://127.0.0.1:9000)
  --region R          region to sign for (default us-east-1)
  --ca-bundle FILE    PEM CA to trust for an https endpoint (<data-dir>/tls/ca.pem)
  --access-key, --secret-key, --data-dir DIR
      root credentials: the flags, COFFER_ROOT_ACCESS_KEY/COFFER_ROOT_SECRET_KEY,
      AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or DIR/root-credentials.json
`

// adminCommand is a parsed `coffer admin` command line.
type adminCommand struct {
	sub       string // rotate-master-key or rewrap
	endpoint  string
	region    string
	dataDir   string
	accessKey string
	secretKey string
	caBundle  string
	// rekey is set for `rewrap --bucket B --kms-key-id K`; nil means the
	// master-key rewrap.
	rekey *bucketRekey
}

// bucketRekey is what `rewrap --bucket` asks for.
type bucketRekey struct {
	bucket    string
	kmsKeyID  string
	bucketKey bool
}

func parseAdminArgs(args []string) (adminCommand, error) {
	if len(args) == 0 {
		return adminCommand{}, errors.New("admin needs a subcommand")
	}
	cmd := adminCommand{sub: args[0]}
	if cmd.sub != "rotate-master-key" && cmd.sub != "rewrap" {
		return cmd, fmt.Errorf("unknown admin subcommand %q", cmd.sub)
	}
	var rekey bucketRekey
	fl := flag.NewFlagSet("admin "+cmd.sub, flag.ContinueOnError)
	fl.SetOutput(io.Discard) // runAdmin prints the usage
	fl.StringVar(&cmd.endpoint, "endpoint", "http://127.0.0.1:9000", "server endpoint")
	fl.StringVar(&cmd.region, "region", "us-east-1", "region to sign for")
	fl.StringVar(&cmd.dataDir, "data-dir", "./coffer-data", "data dir holding root-credentials.json")
	fl.StringVar(&cmd.accessKey, "access-key", "", "root access key")
	fl.StringVar(&cmd.secretKey, "secret-key", "", "root secret key")
	fl.StringVar(&cmd.caBundle, "ca-bundle", "", "PEM file of a CA to trust for https endpoints")
	if cmd.sub == "rewrap" {
		fl.StringVar(&rekey.bucket, "bucket", "", "re-key this bucket's objects to SSE-KMS (with --kms-key-id)")
		fl.StringVar(&rekey.kmsKeyID, "kms-key-id", "", "the KMS key to re-key under: key id, key ARN, alias or alias ARN")
		fl.BoolVar(&rekey.bucketKey, "bucket-key", false, "use an S3 Bucket Key (with --bucket)")
	}
	if err := fl.Parse(args[1:]); err != nil {
		return cmd, err
	}
	if fl.NArg() > 0 {
		return cmd, fmt.Errorf("admin %s takes no arguments, got %q", cmd.sub, fl.Args())
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case !set["bucket"] && !set["kms-key-id"] && !set["bucket-key"]:
	case rekey.bucket == "" || rekey.kmsKeyID == "":
		return cmd, errors.New("--bucket and --kms-key-id go together: re-keying moves a bucket's objects to SSE-KMS under a KMS key")
	default:
		cmd.rekey = &rekey
	}
	return cmd, nil
}

func runAdmin(args []string) error {
	cmd, err := parseAdminArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(adminUsage)
		return nil
	}
	if err != nil {
		fmt.Fprint(os.Stderr, adminUsage)
		return err
	}
	creds, err := clientCredentials(cmd.accessKey, cmd.secretKey, cmd.dataDir)
	if err != nil {
		return err
	}
	client := newSignedClient(cmd.endpoint, cmd.region, opsapi.SigningService, creds, 1)
	if cmd.caBundle != "" {
		if err := client.trustCA(cmd.caBundle); err != nil {
			return err
		}
	}
	// Ctrl-C ends the request; the server then checkpoints a rewrap.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case cmd.sub == "rotate-master-key":
		return adminRotate(ctx, client, os.Stdout)
	case cmd.rekey != nil:
		return adminRewrapBucket(ctx, client, os.Stdout, *cmd.rekey)
	default:
		return adminRewrap(ctx, client, os.Stdout)
	}
}

func adminRotate(ctx context.Context, client *signedClient, out io.Writer) error {
	resp, err := client.do(ctx, http.MethodPost, "/_coffer/admin/v1/rotate-master-key", nil, 0)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Version uint32 `json:"version"`
		Message string `json:"message"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("unexpected answer (%s): %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("rotation refused (%s): %s", resp.Status, body.Message)
	}
	fmt.Fprintf(out, "master key rotated: new objects now use version %d\n", body.Version)
	return nil
}

func adminRewrap(ctx context.Context, client *signedClient, out io.Writer) error {
	resp, err := client.do(ctx, http.MethodPost, "/_coffer/admin/v1/rewrap", nil, 0)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("rewrap refused (%s): %s", resp.Status, msg)
	}
	last, err := followProgress(resp.Body, newProgressBar(out, "re-wrapped", "records"))
	switch {
	case err != nil:
		return fmt.Errorf("%w; run it again to resume", err)
	case last.Error != "":
		return errors.New(last.Error)
	}
	return nil
}

// adminRewrapBucket re-keys a bucket's objects, drawing the server's
// progress, and says how to resume when the run does not finish.
func adminRewrapBucket(ctx context.Context, client *signedClient, out io.Writer, rekey bucketRekey) error {
	resp, err := client.do(ctx, http.MethodPost, "/_coffer/admin/v1/rewrap?"+rekey.query(), nil, 0)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var refusal struct{ Error, Message string }
		if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&refusal); err != nil || refusal.Error == "" {
			return fmt.Errorf("rewrap of bucket %s refused (%s)", rekey.bucket, resp.Status)
		}
		return fmt.Errorf("rewrap of bucket %s refused (%s): %s: %s", rekey.bucket, resp.Status, refusal.Error, refusal.Message)
	}
	last, err := followProgress(resp.Body, newProgressBar(out, "re-keyed", "objects"))
	switch {
	case err != nil:
		return fmt.Errorf("rewrap of bucket %s interrupted (%w); what is done stays done.\n%s", rekey.bucket, err, rekey.resumeHint())
	case last.Error != "":
		reason := last.Error
		if last.Code != "" {
			reason = last.Code + ": " + last.Error
		}
		return fmt.Errorf("rewrap of bucket %s stopped after %d of %d objects: %s\n%s", rekey.bucket, last.Done, last.Total, reason, rekey.resumeHint())
	case last.Summary == nil:
		return fmt.Errorf("the server's last line carries no summary")
	}
	sum := last.Summary
	fmt.Fprintf(out, "bucket %s: %d objects re-keyed under %s, %d already were, %d changed meanwhile and kept what their writer asked for\n",
		rekey.bucket, sum.Rewrapped, sum.KeyARN, sum.Current, sum.Changed)
	if sum.Failed > 0 {
		first := "unknown"
		if sum.FirstFailure != nil {
			first = fmt.Sprintf("%s: %s: %s", sum.FirstFailure.Key, sum.FirstFailure.Code, sum.FirstFailure.Message)
		}
		return fmt.Errorf("%d objects could not be re-keyed (first: %s); fix that and run the same command again to retry them", sum.Failed, first)
	}
	return nil
}

// query is the admin API's query string for the re-key.
func (r bucketRekey) query() string {
	q := url.Values{"bucket": {r.bucket}, "kms-key-id": {r.kmsKeyID}}
	if r.bucketKey {
		q.Set("bucket-key", "true")
	}
	return q.Encode()
}

// resumeHint tells the operator how to pick an interrupted run up again.
func (r bucketRekey) resumeHint() string {
	cmd := "coffer admin rewrap --bucket " + r.bucket + " --kms-key-id " + r.kmsKeyID
	if r.bucketKey {
		cmd += " --bucket-key"
	}
	return "To resume, run the same command again (with the same --endpoint and credentials): " + cmd
}

// progressLine is one line of a rewrap's progress stream.
type progressLine struct {
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Error    string `json:"error"`
	Code     string `json:"code"`
	Finished bool   `json:"finished"`
	Summary  *struct {
		KeyARN       string `json:"keyArn"`
		Rewrapped    int    `json:"rewrapped"`
		Current      int    `json:"current"`
		Changed      int    `json:"changed"`
		Failed       int    `json:"failed"`
		FirstFailure *struct {
			Key     string `json:"key"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"firstFailure"`
	} `json:"summary"`
}

// followProgress draws a progress stream on bar until its closing line
// (finished, or an error), which it returns; a stream that ends without
// one is an error.
func followProgress(body io.Reader, bar *progressBar) (progressLine, error) {
	scanner := bufio.NewScanner(body)
	for scanner.Scan() {
		var line progressLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			bar.finish()
			return line, fmt.Errorf("unexpected progress line: %w", err)
		}
		bar.update(line.Done, line.Total)
		if line.Error != "" || line.Finished {
			bar.finish()
			return line, nil
		}
	}
	bar.finish()
	if err := scanner.Err(); err != nil {
		return progressLine{}, err
	}
	return progressLine{}, errors.New("the server stopped before the rewrap finished")
}
