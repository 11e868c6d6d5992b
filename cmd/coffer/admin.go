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
	"os"
	"time"

	"github.com/cofferlabs/coffer/opsapi"
)

const adminUsage = `Usage:
  coffer admin rotate-master-key [--endpoint URL] [--data-dir DIR]
  coffer admin rewrap [--endpoint URL] [--data-dir DIR]

Both talk to a running server's admin API as the root user. Credentials come
from --access-key/--secret-key, COFFER_ROOT_ACCESS_KEY/COFFER_ROOT_SECRET_KEY,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the data dir's root-credentials.json.
`

func runAdmin(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, adminUsage)
		return errors.New("admin needs a subcommand")
	}
	fl := flag.NewFlagSet("admin "+args[0], flag.ContinueOnError)
	endpoint := fl.String("endpoint", "http://127.0.0.1:9000", "server endpoint")
	region := fl.String("region", "us-east-1", "region to sign for")
	dataDir := fl.String("data-dir", "./coffer-data", "data dir holding root-credentials.json")
	accessKey := fl.String("access-key", "", "root access key")
	secretKey := fl.String("secret-key", "", "root secret key")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	creds, err := clientCredentials(*accessKey, *secretKey, *dataDir)
	if err != nil {
		return err
	}
	client := newSignedClient(*endpoint, *region, opsapi.SigningService, creds, 1)
	ctx := context.Background()
	switch args[0] {
	case "rotate-master-key":
		return adminRotate(ctx, client, os.Stdout)
	case "rewrap":
		return adminRewrap(ctx, client, os.Stdout)
	}
	fmt.Fprint(os.Stderr, adminUsage)
	return fmt.Errorf("unknown admin subcommand %q", args[0])
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
	bar := newProgressBar(out, "re-wrapped", "records")
	scanner := bufio.NewScanner(resp.Body)
	for scanner.Scan() {
		var line struct {
			Done     int    `json:"done"`
			Total    int    `json:"total"`
			Error    string `json:"error"`
			Finished bool   `json:"finished"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			return fmt.Errorf("unexpected progress line: %w", err)
		}
		bar.update(line.Done, line.Total)
		if line.Error != "" {
			bar.finish()
			return errors.New(line.Error)
		}
		if line.Finished {
			bar.finish()
			return nil
		}
	}
	bar.finish()
	if err := scanner.Err(); err != nil {
		return err
	}
	return errors.New("the server stopped before the rewrap finished; run it again to resume")
}

// progressBar draws a one-line bar on a terminal and stays quiet otherwise.
type progressBar struct {
	out      io.Writer
	verb     string
	unit     string
	terminal bool
	started  time.Time
	last     time.Time
	done     int
}

func newProgressBar(out io.Writer, verb, unit string) *progressBar {
	terminal := false
	if f, ok := out.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			terminal = true
		}
	}
	return &progressBar{out: out, verb: verb, unit: unit, terminal: terminal, started: time.Now()}
}

func (p *progressBar) update(done, total int) {
	p.done = done
	if !p.terminal || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(done) / max(time.Since(p.started).Seconds(), 0.001)
	if total > 0 {
		const width = 30
		filled := min(width, done*width/total)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < filled {
				bar[i] = '#'
			}
		}
		left := time.Duration(float64(total-done)/max(rate, 0.001)) * time.Second
		fmt.Fprintf(p.out, "\r[%s] %d/%d %s %s, %.0f/s, %s left ", bar, done, total, p.unit, p.verb, rate, left.Round(time.Second))
		return
	}
	fmt.Fprintf(p.out, "\r%s %d %s, %.0f/s ", p.verb, done, p.unit, rate)
}

func (p *progressBar) finish() {
	if p.terminal {
		fmt.Fprintln(p.out)
	}
	fmt.Fprintf(p.out, "%s %d %s in %s\n", p.verb, p.done, p.unit, time.Since(p.started).Round(time.Millisecond))
}
