package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressBar draws a one-line progress bar on a terminal and stays quiet
// otherwise. It counts either things (records, objects: newProgressBar, as
// `coffer admin rewrap` does) or bytes (newByteProgressBar, as `coffer cp`
// does). Safe for use by several goroutines.
type progressBar struct {
	mu       sync.Mutex
	out      io.Writer
	verb     string
	unit     string // what is counted; "" counts bytes
	terminal bool
	// summary prints the closing line even when out is not a terminal.
	summary bool
	now     func() time.Time
	started time.Time
	last    time.Time
	done    int64
	total   int64 // 0: unknown
}

// redrawEvery is how often a terminal's bar is redrawn at most.
const redrawEvery = 100 * time.Millisecond

// newProgressBar counts unit (e.g. "records") and always ends with a
// summary line ("re-wrapped 12 records in 1.2s").
func newProgressBar(out io.Writer, verb, unit string) *progressBar {
	p := &progressBar{out: out, verb: verb, unit: unit, terminal: isTerminal(out), summary: true, now: time.Now}
	p.started = p.now()
	return p
}

// newByteProgressBar counts bytes towards total (0 or less: unknown) and
// says nothing at all unless out is a terminal.
func newByteProgressBar(out io.Writer, verb string, total int64) *progressBar {
	p := &progressBar{out: out, verb: verb, terminal: isTerminal(out), total: max(total, 0), now: time.Now}
	p.started = p.now()
	return p
}

// isTerminal reports whether out is a character device (a terminal).
func isTerminal(out io.Writer) bool {
	f, ok := out.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// update sets the count done out of total (0: unknown).
func (p *progressBar) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total = int64(done), int64(total)
	p.redraw()
}

// add counts n more.
func (p *progressBar) add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.redraw()
}

// redraw draws the bar if out is a terminal and the last drawing is old
// enough; p.mu is held.
func (p *progressBar) redraw() {
	if !p.terminal {
		return
	}
	now := p.now()
	if now.Sub(p.last) < redrawEvery {
		return
	}
	p.last = now
	fmt.Fprint(p.out, "\r"+p.line(now)+" ")
}

// line renders the bar's state at now, without the leading carriage return.
func (p *progressBar) line(now time.Time) string {
	rate := float64(p.done) / max(now.Sub(p.started).Seconds(), 0.001)
	if p.total <= 0 {
		return fmt.Sprintf("%s %s, %s", p.verb, p.amount(p.done), p.rate(rate))
	}
	const width = 30
	filled := int(min(width, p.done*width/p.total))
	bar := strings.Repeat("#", filled) + strings.Repeat(" ", width-filled)
	left := time.Duration(float64(max(p.total-p.done, 0))/max(rate, 0.001)) * time.Second
	return fmt.Sprintf("[%s] %s/%s %s, %s, %s left", bar, p.quantity(p.done), p.amount(p.total), p.verb, p.rate(rate), left.Round(time.Second))
}

// quantity renders n without its unit for counts ("3"), with it for bytes.
func (p *progressBar) quantity(n int64) string {
	if p.unit == "" {
		return formatBytes(n)
	}
	return fmt.Sprint(n)
}

// amount renders n with its unit: "12 records", "1.5 GiB".
func (p *progressBar) amount(n int64) string {
	if p.unit == "" {
		return formatBytes(n)
	}
	return fmt.Sprintf("%d %s", n, p.unit)
}

func (p *progressBar) rate(perSecond float64) string {
	if p.unit == "" {
		return formatBytes(int64(perSecond)) + "/s"
	}
	return fmt.Sprintf("%.0f/s", perSecond)
}

// finish ends the bar's line on a terminal and prints the summary
// (always for counting bars, on a terminal only for byte bars).
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && !p.last.IsZero() {
		fmt.Fprintln(p.out)
	}
	if !p.terminal && !p.summary {
		return
	}
	took := p.now().Sub(p.started)
	if p.unit == "" {
		rate := float64(p.done) / max(took.Seconds(), 0.001)
		fmt.Fprintf(p.out, "%s %s in %s (%s)\n", p.verb, formatBytes(p.done), took.Round(time.Millisecond), p.rate(rate))
		return
	}
	fmt.Fprintf(p.out, "%s %s in %s\n", p.verb, p.amount(p.done), took.Round(time.Millisecond))
}

// end finishes the bar: with its summary after a success; after a
// failure (whose message follows) it only ends the terminal's line.
func (p *progressBar) end(ok bool) {
	if ok {
		p.finish()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && !p.last.IsZero() {
		fmt.Fprintln(p.out)
	}
}

// formatBytes renders n bytes in binary units: "512 B", "1.5 KiB", "2.0 GiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// progressReader counts what is read through it on a bar.
type progressReader struct {
	r   io.Reader
	bar *progressBar
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.bar.add(int64(n))
	}
	return n, err
}
