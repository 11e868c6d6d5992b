package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"mime"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer/cse"
)

const cpUsage = `Usage:
  coffer cp [flags] SRC DST

Copies a local file to S3 (coffer cp FILE s3://BUCKET/KEY) or an object to a
local file (coffer cp s3://BUCKET/KEY FILE), against Coffer, Amazon S3 or any
S3-compatible store. "-" as SRC reads standard input; as DST it writes
standard output. A KEY that is empty or ends in "/" takes FILE's name; a FILE
that is a directory takes the KEY's last segment. Flags may come before or
after SRC and DST.

With a --cse-* key, the file is encrypted here before upload and decrypted
here after download, in the format of the AWS S3 Encryption Client: the
server, Coffer or not, sees only ciphertext. Downloads are written to a
temporary file beside FILE, renamed to FILE only once the GCM tag has been
verified, and removed on any failure, so FILE is never a partial or an
unauthenticated plaintext. A download to "-" is held in an unnamed temporary
file (in $TMPDIR) and written out only after verification. Decrypted files
are created with mode 0600.

Client-side encryption (one key source):
  --cse-kms-key-id KEY     wrap data keys with this KMS key (key id, key ARN,
                           alias or alias ARN), on the endpoint's KMS
  --cse-kms-any-key        download: unwrap with whichever KMS key the object
                           names (the KMS still decides whether you may)
  --cse-context k=v        KMS encryption context, repeatable; on download it
                           must equal the context the object was written with
  --cse-key fileb://FILE   a customer-held AES-256 key: FILE holds 32 raw bytes
  --cse-rsa-key FILE       a customer-held RSA key pair in PEM (at least 2048
                           bits); a public key is enough to upload
  --cse-format v2|v3       upload format: v2 (default; AES-GCM, readable by every
                           S3 Encryption Client v2/v3) or v3 (key-committing,
                           suite 115)
  --cse-instruction-file   upload: keep the envelope in KEY.instruction rather
                           than in the object's metadata

Plain copies (no --cse-* flag):
  --sse AES256|aws:kms     server-side encryption to ask for on upload
  --sse-kms-key-id KEY     the KMS key for --sse aws:kms
  (--sse also applies beneath client-side encryption.)

Connection (the standard AWS sources apply: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, AWS_CA_BUNDLE, ~/.aws/config, ~/.aws/credentials):
  --endpoint-url URL       S3 and KMS endpoint (e.g. https://127.0.0.1:9443)
  --ca-bundle FILE         PEM CA certificates to trust (<data-dir>/tls/ca.pem)
  --region R               region to sign for (default: from the profile, else us-east-1)
  --profile NAME           named profile

Other:
  --part-size SIZE         upload in parts of SIZE above it (default 16MiB, at least
                           5MiB; with --cse-*, a multiple of 16 bytes)
  --concurrency N          upload up to N parts at once (default 2), holding up
                           to N+1 parts in memory; 1 uploads one part after the
                           other. With --cse-*, parts are still encrypted in
                           order, each uploaded while the next is encrypted
  --no-progress            no progress bar (it is drawn on stderr only when
                           stderr is a terminal)

Exit codes:
  0  copied
  1  failed: S3, the KMS, the network or a local file (the message says which)
  2  the command line is wrong
  3  cse.ErrTampered: the ciphertext or envelope was changed; nothing written
  4  cse.ErrWrongKey, cse.ErrContextMismatch or cse.ErrKMSDenied: the key or
     context given does not open the object
  5  cse.ErrNotEncrypted, cse.ErrMissingMetadata or cse.ErrUnsupportedFormat:
     the object is not client-side encrypted in a format read here
`

// defaultPartSize is the part size of multipart uploads, plain or
// client-side encrypted.
const defaultPartSize = 16 << 20

// defaultConcurrency is the number of parts uploaded at once.
const defaultConcurrency = 2

// cpCommand is a parsed `coffer cp` command line.
type cpCommand struct {
	// Exactly one of upload and download is set.
	upload   *cpUpload
	download *cpDownload
	aws      awsFlags
	cse      cseFlags
	// sse and sseKMSKeyID ask for server-side encryption on upload.
	sse         types.ServerSideEncryption
	sseKMSKeyID string
	partSize    int64
	concurrency int
	noProgress  bool
}

// cpUpload copies a local file (or standard input) to S3.
type cpUpload struct {
	from string // a path, or "-"
	to   s3URL
}

// cpDownload copies an object to a local file (or standard output).
type cpDownload struct {
	from s3URL
	to   string // a path (a directory: the key's name in it), or "-"
}

// cseFlags is the client-side encryption asked for.
type cseFlags struct {
	kmsKeyID        string
	kmsAnyKey       bool
	context         map[string]string
	aesKeyFile      string
	rsaKeyFile      string
	format          cse.Format
	formatSet       bool
	instructionFile bool
}

// enabled reports whether a key source was given.
func (c cseFlags) enabled() bool {
	return c.kmsKeyID != "" || c.kmsAnyKey || c.aesKeyFile != "" || c.rsaKeyFile != ""
}

// contextFlag collects repeated --cse-context k=v.
type contextFlag map[string]string

func (c contextFlag) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, k+"="+c[k])
	}
	return strings.Join(parts, ",")
}

// reservedContextKeys are context entries the format itself writes.
var reservedContextKeys = []string{"aws:x-amz-cek-alg", "kms_cmk_id"}

func (c contextFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	switch {
	case !ok || k == "":
		return fmt.Errorf("%q is not k=v", s)
	case slices.Contains(reservedContextKeys, k):
		return fmt.Errorf("%s is reserved: the format itself sets it", k)
	}
	if _, dup := c[k]; dup {
		return fmt.Errorf("%s is given twice", k)
	}
	c[k] = v
	return nil
}

// formatFlag parses --cse-format.
type formatFlag struct {
	f   *cse.Format
	set *bool
}

func (f formatFlag) String() string {
	if f.f != nil && *f.f == cse.FormatV3 {
		return "v3"
	}
	return "v2"
}

func (f formatFlag) Set(s string) error {
	switch strings.ToLower(s) {
	case "v2":
		*f.f = cse.FormatV2
	case "v3":
		*f.f = cse.FormatV3
	default:
		return fmt.Errorf("%q is neither v2 nor v3", s)
	}
	*f.set = true
	return nil
}

// parseCpArgs parses a `coffer cp` command line; flags may come before,
// between or after SRC and DST ("--" ends the flags).
func parseCpArgs(args []string) (cpCommand, error) {
	cmd := cpCommand{cse: cseFlags{context: map[string]string{}}}
	var sse, partSize string
	fl := flag.NewFlagSet("cp", flag.ContinueOnError)
	fl.SetOutput(io.Discard) // runCp prints the usage
	cmd.aws.register(fl)
	fl.StringVar(&cmd.cse.kmsKeyID, "cse-kms-key-id", "", "")
	fl.BoolVar(&cmd.cse.kmsAnyKey, "cse-kms-any-key", false, "")
	fl.Var(contextFlag(cmd.cse.context), "cse-context", "")
	fl.StringVar(&cmd.cse.aesKeyFile, "cse-key", "", "")
	fl.StringVar(&cmd.cse.rsaKeyFile, "cse-rsa-key", "", "")
	fl.Var(formatFlag{&cmd.cse.format, &cmd.cse.formatSet}, "cse-format", "")
	fl.BoolVar(&cmd.cse.instructionFile, "cse-instruction-file", false, "")
	fl.StringVar(&sse, "sse", "", "")
	fl.StringVar(&cmd.sseKMSKeyID, "sse-kms-key-id", "", "")
	fl.StringVar(&partSize, "part-size", "16MiB", "")
	fl.IntVar(&cmd.concurrency, "concurrency", defaultConcurrency, "")
	fl.BoolVar(&cmd.noProgress, "no-progress", false, "")

	positional, err := parseInterleaved(fl, args)
	if err != nil {
		return cmd, err
	}
	if err := refuseEmptyFlags(fl); err != nil {
		return cmd, err
	}
	if len(positional) != 2 {
		return cmd, fmt.Errorf("cp takes SRC and DST, got %d arguments", len(positional))
	}

	if cmd.partSize, err = parseSize(partSize); err != nil {
		return cmd, fmt.Errorf("--part-size: %w", err)
	}
	if cmd.partSize < manager.MinUploadPartSize || cmd.partSize > 5<<30 {
		return cmd, fmt.Errorf("--part-size %s: S3 parts are 5MiB to 5GiB", partSize)
	}
	if cmd.concurrency < 1 {
		return cmd, fmt.Errorf("--concurrency %d: at least 1", cmd.concurrency)
	}
	if err := cmd.setDirection(positional[0], positional[1]); err != nil {
		return cmd, err
	}
	if err := cmd.checkSSE(sse); err != nil {
		return cmd, err
	}
	if err := cmd.checkCSE(); err != nil {
		return cmd, err
	}
	if cmd.cse.enabled() && cmd.partSize%16 != 0 {
		return cmd, fmt.Errorf("--part-size %s: client-side encryption needs a multiple of 16 bytes", partSize)
	}
	return cmd, nil
}

// setDirection decides from SRC and DST whether this is an upload or a
// download.
func (cmd *cpCommand) setDirection(src, dst string) error {
	srcURL, srcS3, err := parseS3URL(src)
	if err != nil {
		return err
	}
	dstURL, dstS3, err := parseS3URL(dst)
	if err != nil {
		return err
	}
	switch {
	case srcS3 && dstS3:
		return errors.New("cp copies between a local file and S3; for S3 to S3, copy through a local file")
	case !srcS3 && !dstS3:
		return errors.New("cp copies between a local file and S3: one of SRC and DST must be s3://BUCKET/KEY")
	case dstS3:
		if src == "" {
			return errors.New("SRC is empty")
		}
		if dstURL.key == "" || strings.HasSuffix(dstURL.key, "/") {
			if src == "-" {
				return fmt.Errorf("%s needs a key to upload standard input to", dst)
			}
			dstURL.key += filepath.Base(src)
		}
		cmd.upload = &cpUpload{from: src, to: dstURL}
	default:
		if srcURL.key == "" || strings.HasSuffix(srcURL.key, "/") {
			return fmt.Errorf("%s names no object: write s3://BUCKET/KEY", src)
		}
		if dst == "" {
			return errors.New("DST is empty")
		}
		cmd.download = &cpDownload{from: srcURL, to: dst}
	}
	return nil
}

func (cmd *cpCommand) checkSSE(sse string) error {
	switch sse {
	case "":
		if cmd.sseKMSKeyID != "" {
			return errors.New("--sse-kms-key-id goes with --sse aws:kms")
		}
		return nil
	case string(types.ServerSideEncryptionAes256), string(types.ServerSideEncryptionAwsKms):
	default:
		return fmt.Errorf("--sse %q: AES256 or aws:kms", sse)
	}
	if cmd.download != nil {
		return errors.New("--sse applies to uploads: a download reads whatever server-side encryption the object has")
	}
	if cmd.sseKMSKeyID != "" && sse != string(types.ServerSideEncryptionAwsKms) {
		return errors.New("--sse-kms-key-id goes with --sse aws:kms")
	}
	cmd.sse = types.ServerSideEncryption(sse)
	return nil
}

func (cmd *cpCommand) checkCSE() error {
	c := cmd.cse
	sources := 0
	for _, set := range []bool{c.kmsKeyID != "" || c.kmsAnyKey, c.aesKeyFile != "", c.rsaKeyFile != ""} {
		if set {
			sources++
		}
	}
	switch {
	case sources > 1:
		return errors.New("give one key source: --cse-kms-key-id, --cse-key or --cse-rsa-key")
	case c.kmsKeyID != "" && c.kmsAnyKey:
		return errors.New("--cse-kms-any-key and --cse-kms-key-id exclude each other")
	case c.kmsAnyKey && cmd.upload != nil:
		return errors.New("--cse-kms-any-key is for downloads: an upload needs --cse-kms-key-id")
	case len(c.context) > 0 && c.kmsKeyID == "" && !c.kmsAnyKey:
		return errors.New("--cse-context goes with --cse-kms-key-id or --cse-kms-any-key: only KMS wrapping carries an encryption context")
	case (c.formatSet || c.instructionFile) && !c.enabled():
		return errors.New("--cse-format and --cse-instruction-file need a key: --cse-kms-key-id, --cse-key or --cse-rsa-key")
	case (c.formatSet || c.instructionFile) && cmd.download != nil:
		return errors.New("--cse-format and --cse-instruction-file apply to uploads: a download reads the format and envelope the object has")
	}
	return nil
}

// runCp is `coffer cp`: it exits with the documented code itself.
func runCp(args []string) error {
	cmd, err := parseCpArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(cpUsage)
		return nil
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "coffer cp: %v\n(coffer cp --help lists the flags)\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = cmd.run(ctx, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		msg, code := describeFailure(err)
		fmt.Fprintf(os.Stderr, "coffer cp: %s\n", msg)
		os.Exit(code)
	}
	return nil
}

// run does the copy; progress and notes go to stderr.
func (cmd cpCommand) run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	keyring, err := cmd.cse.loadKeys(cmd.download != nil)
	if err != nil {
		return err
	}
	clients, err := cmd.aws.connect(ctx)
	if err != nil {
		return err
	}
	progressOut := stderr
	if cmd.noProgress {
		progressOut = io.Discard
	}
	if cmd.upload != nil {
		return cmd.runUpload(ctx, clients, keyring, stdin, progressOut)
	}
	return cmd.runDownload(ctx, clients, keyring, stdout, stderr, progressOut)
}

// keyringFor makes the keyring the flags ask for once the clients exist
// (only the KMS keyring needs one).
type keyringFor func(awsClients) cse.Keyring

// loadKeys reads the key files before anything goes over the network, so
// that a bad key file fails fast; it returns nil without --cse-* keys.
func (c cseFlags) loadKeys(decrypting bool) (keyringFor, error) {
	switch {
	case c.kmsKeyID != "" || c.kmsAnyKey:
		keyID := c.kmsKeyID // "" with --cse-kms-any-key: decrypt-only, any key
		return func(ac awsClients) cse.Keyring { return cse.NewKMSKeyring(ac.kms, keyID) }, nil
	case c.aesKeyFile != "":
		key, err := readAESKey(c.aesKeyFile)
		if err != nil {
			return nil, err
		}
		keyring, err := cse.NewAESKeyring(key)
		clear(key) // the keyring keeps its own expanded copy
		if err != nil {
			return nil, fmt.Errorf("--cse-key: %w", err)
		}
		return func(awsClients) cse.Keyring { return keyring }, nil
	case c.rsaKeyFile != "":
		k, err := readRSAKey(c.rsaKeyFile)
		if err != nil {
			return nil, err
		}
		if k.private == nil && decrypting {
			return nil, fmt.Errorf("--cse-rsa-key: %s holds a public key; decrypting needs the private key", c.rsaKeyFile)
		}
		keyring, err := newRSAKeyring(k)
		if err != nil {
			return nil, fmt.Errorf("--cse-rsa-key: %w", err)
		}
		return func(awsClients) cse.Keyring { return keyring }, nil
	}
	return nil, nil
}

// runUpload copies a local file or standard input to S3.
func (cmd cpCommand) runUpload(ctx context.Context, clients awsClients, keyring keyringFor, stdin io.Reader, progressOut io.Writer) (err error) {
	up := cmd.upload
	var body io.Reader
	size := int64(-1)
	if up.from == "-" {
		body = stdin
	} else {
		f, err := os.Open(up.from)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		if info.IsDir() {
			return fmt.Errorf("%s is a directory; cp copies one file", up.from)
		}
		body = f
		if info.Mode().IsRegular() { // a pipe or device says 0: its size is unknown
			size = info.Size()
		}
	}
	contentType := mime.TypeByExtension(filepath.Ext(up.to.key))
	bar := newByteProgressBar(progressOut, "uploaded", size)
	body = progressReader{r: body, bar: bar}
	defer func() { bar.end(err == nil) }()

	if keyring != nil {
		client := cse.New(clients.s3, keyring(clients), cse.Options{
			Format: cmd.cse.format, InstructionFile: cmd.cse.instructionFile, PartSize: cmd.partSize,
			Concurrency: cmd.concurrency,
		})
		in := cse.PutInput{
			Bucket: up.to.bucket, Key: up.to.key, Body: body, Size: size,
			EncryptionContext: cmd.cse.contextOrNil(), ContentType: contentType,
		}
		if cmd.sse != "" {
			sse, keyID := cmd.sse, cmd.sseKMSKeyID
			in.SSE = func(p *s3.PutObjectInput) {
				p.ServerSideEncryption = sse
				if keyID != "" {
					p.SSEKMSKeyId = aws.String(keyID)
				}
			}
		}
		if _, err := client.Put(ctx, in); err != nil {
			return fmt.Errorf("upload to %s: %w", up.to, err)
		}
		return nil
	}

	// A plain copy streams the same way, up to --concurrency parts at once.
	uploader := manager.NewUploader(clients.s3, func(u *manager.Uploader) {
		u.PartSize = cmd.partSize
		u.Concurrency = cmd.concurrency
	})
	in := &s3.PutObjectInput{Bucket: aws.String(up.to.bucket), Key: aws.String(up.to.key), Body: body}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if cmd.sse != "" {
		in.ServerSideEncryption = cmd.sse
		if cmd.sseKMSKeyID != "" {
			in.SSEKMSKeyId = aws.String(cmd.sseKMSKeyID)
		}
	}
	if _, err := uploader.Upload(ctx, in); err != nil {
		return fmt.Errorf("upload to %s: %w", up.to, err)
	}
	return nil
}

func (c cseFlags) contextOrNil() map[string]string {
	if len(c.context) == 0 {
		return nil
	}
	return c.context
}

// envelopeMarkers are object metadata keys that only an S3 Encryption
// Client envelope has: a plain download of such an object is ciphertext.
var envelopeMarkers = []string{"x-amz-key-v2", "x-amz-key", "x-amz-3"}

// runDownload copies an object to a local file or standard output.
func (cmd cpCommand) runDownload(ctx context.Context, clients awsClients, keyring keyringFor, stdout, stderr, progressOut io.Writer) (err error) {
	down := cmd.download
	dest := down.to
	if info, statErr := os.Stat(dest); dest != "-" && ((statErr == nil && info.IsDir()) || strings.HasSuffix(dest, string(os.PathSeparator))) {
		dest = filepath.Join(dest, path.Base(down.from.key))
	}
	defer func() {
		switch {
		case err == nil:
		case dest != "-":
			err = fmt.Errorf("download of %s: %w; %s was not written", down.from, err, dest)
		case keyring != nil:
			err = fmt.Errorf("download of %s: %w; nothing was written to standard output", down.from, err)
		default:
			err = fmt.Errorf("download of %s: %w", down.from, err)
		}
	}()
	var body io.ReadCloser
	var size int64
	if keyring != nil {
		client := cse.New(clients.s3, keyring(clients), cse.Options{})
		out, err := client.Get(ctx, cse.GetInput{Bucket: down.from.bucket, Key: down.from.key, EncryptionContext: cmd.cse.contextOrNil()})
		if err != nil {
			return err
		}
		body, size = out.Body, out.Size
	} else {
		out, err := clients.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(down.from.bucket), Key: aws.String(down.from.key)})
		if err != nil {
			return err
		}
		body, size = out.Body, aws.ToInt64(out.ContentLength)
		for _, k := range envelopeMarkers {
			if _, ok := out.Metadata[k]; ok {
				fmt.Fprintf(stderr, "coffer cp: note: %s is client-side encrypted (it has %s): this copies its ciphertext; "+
					"give its key (--cse-kms-key-id, --cse-kms-any-key, --cse-key or --cse-rsa-key) to decrypt it\n", down.from, k)
				break
			}
		}
	}
	defer body.Close()
	bar := newByteProgressBar(progressOut, "downloaded", size)
	defer func() { bar.end(err == nil) }()
	src := progressReader{r: body, bar: bar}

	switch {
	case dest == "-" && keyring == nil:
		// The server authenticated what it stored; stream it.
		_, err := io.Copy(stdout, src)
		return err
	case dest == "-":
		return copyVerifiedToStdout(stdout, src)
	}
	mode := os.FileMode(0o600)
	if keyring == nil {
		mode = 0o666 &^ currentUmask()
	}
	return writeFileAtomically(dest, src, mode)
}

// copyVerifiedToStdout holds the plaintext in an unnamed temporary file
// until src has verified its tag, then writes it to stdout: nothing
// unauthenticated ever reaches the reader of stdout.
func copyVerifiedToStdout(stdout io.Writer, src io.Reader) error {
	f, err := os.CreateTemp("", ".coffer-cp-*")
	if err != nil {
		return err
	}
	os.Remove(f.Name()) // unnamed from now on: gone when closed, even on a crash
	defer f.Close()
	if _, err := io.Copy(f, src); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(stdout, f)
	return err
}

// writeFileAtomically writes src to a temporary file beside dest, syncs
// it, and renames it to dest only when src ended without error; on any
// failure the temporary file is removed and dest is untouched.
func writeFileAtomically(dest string, src io.Reader, mode os.FileMode) (err error) {
	dir, base := filepath.Split(dest)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".coffer-*.part")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, src); err != nil {
		return err
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), dest); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // the rename itself is durable
		d.Close()
	}
	return nil
}

// currentUmask reads the process's umask (setting it back at once).
func currentUmask() os.FileMode {
	mask := syscall.Umask(0)
	syscall.Umask(mask)
	return os.FileMode(mask)
}
