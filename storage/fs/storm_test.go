package fs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// The storm: workers each own a few keys and write versions to them in
// turn, printing "ack KEY VERSION" once a write has returned. Versions of
// one key are consecutive; what a version does follows from its number.
const (
	stormWorkers = 4
	stormKeys    = 3 // per worker
	stormRounds  = 5
	stormBucket  = "storm"
)

type stormOp int

const (
	opSmallPut stormOp = iota
	opLargePut
	opMultipart
	opDelete
)

func opOf(version int) stormOp { return stormOp(version % 4) }

// roundBase is the first version written in a round; a multiple of 4, so
// every round starts with a small put.
func roundBase(round int) int { return round * 100000 }

func stormKey(worker, i int) string { return fmt.Sprintf("w%d/k%d", worker, i) }

// stormContent is what version of key stores: one stream, or two parts.
func stormContent(key string, version int) [][]byte {
	h := fnv.New64a()
	h.Write([]byte(key))
	seed := h.Sum64() ^ uint64(version)<<20
	switch opOf(version) {
	case opSmallPut:
		return [][]byte{testData(seed, 100+version%3000)}
	case opLargePut:
		return [][]byte{testData(seed, 200<<10+version%5000)}
	case opMultipart:
		return [][]byte{testData(seed, 150<<10+version%1000), testData(seed+1, 1000)}
	}
	return nil
}

func applyVersion(ctx context.Context, s *Store, key string, version int) error {
	content := stormContent(key, version)
	switch opOf(version) {
	case opDelete:
		if err := s.DeleteObject(ctx, stormBucket, key); err != nil && !errors.Is(err, coffer.ErrNoSuchKey) {
			return err
		}
		return nil
	case opMultipart:
		id := fmt.Sprintf("%s-%d", key, version)
		if err := s.CreateUpload(ctx, coffer.UploadRecord{Bucket: stormBucket, Key: key, ID: id}); err != nil {
			return err
		}
		var parts []coffer.PartRecord
		for i, data := range content {
			p, err := putPart(ctx, s, stormBucket, key, id, i+1, data)
			if err != nil {
				return err
			}
			parts = append(parts, p)
		}
		return s.CompleteUpload(ctx, id, coffer.ObjectRecord{Bucket: stormBucket, Key: key,
			ETag: sha256Hex(content...), Meta: coffer.ObjectMeta{User: map[string]string{"v": strconv.Itoa(version)}}, Parts: parts}, nil)
	default:
		return putObject(ctx, s, stormBucket, key, version, content[0])
	}
}

// stateIs checks that key holds exactly what version left (-1: never written).
func stateIs(ctx context.Context, s *Store, key string, version int) error {
	rec, err := s.GetObject(ctx, stormBucket, key)
	if version < 0 || opOf(version) == opDelete {
		if !errors.Is(err, coffer.ErrNoSuchKey) {
			return fmt.Errorf("want no object, got %v (version %s)", err, rec.Meta.User["v"])
		}
		return nil
	}
	if err != nil {
		return err
	}
	if rec.Meta.User["v"] != strconv.Itoa(version) {
		return fmt.Errorf("holds version %s", rec.Meta.User["v"])
	}
	data, err := readObject(ctx, s, rec)
	if err != nil {
		return err
	}
	if sha256Hex(data) != rec.ETag || rec.ETag != sha256Hex(stormContent(key, version)...) {
		return fmt.Errorf("version %d: data does not match (torn write)", version)
	}
	return nil
}

// TestCrashStorm SIGKILLs a child in the middle of a storm of concurrent
// writes of every kind, several times over one directory. After each kill
// every key must hold its last acknowledged version or the one that was in
// flight, intact, and the directory must pass the integrity check.
func TestCrashStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("crash storm runs child processes with real fsyncs")
	}
	dir := t.TempDir()
	known := map[string]int{} // key -> version its state was last verified as
	for w := range stormWorkers {
		for i := range stormKeys {
			known[stormKey(w, i)] = -1
		}
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill points seeded with %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	for round := range stormRounds {
		killAfter := 30 + rng.IntN(300)
		acked := runStorm(t, dir, round, killAfter)
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		for key, prev := range known {
			last, next := prev, roundBase(round)
			if a, ok := acked[key]; ok {
				last, next = a, a+1
			}
			errLast := stateIs(ctx, s, key, last)
			if errLast == nil {
				known[key] = last
				continue
			}
			if errNext := stateIs(ctx, s, key, next); errNext != nil {
				t.Fatalf("round %d: %s is neither acknowledged version %d (%v) nor in-flight %d (%v)", round, key, last, errLast, next, errNext)
			}
			known[key] = next
		}
		removed, err := s.SweepResult()
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		checkIntegrity(t, s)
		s.Close()
		t.Logf("round %d: killed after %d acknowledged writes; %d orphans swept", round, killAfter, removed)
	}
}

// runStorm starts a storm child, kills it after killAfter acknowledgements
// and returns the last acknowledged version of each key.
func runStorm(t *testing.T, dir string, round, killAfter int) map[string]int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=storm", dirEnv+"="+dir, roundEnv+"="+strconv.Itoa(round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A guard against a child that stops acknowledging; the kill itself
	// decides nothing about the test's outcome.
	guard := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer guard.Stop()
	acked := map[string]int{}
	n := 0
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var key string
		var version int
		if _, err := fmt.Sscanf(lines.Text(), "ack %s %d", &key, &version); err != nil {
			t.Fatalf("child said %q", lines.Text())
		}
		acked[key] = version
		if n++; n == killAfter {
			cmd.Process.Kill()
		}
	}
	err = cmd.Wait()
	if n < killAfter {
		t.Fatalf("child ended after %d acknowledgements: %v\n%s", n, err, stderr.String())
	}
	return acked
}

func runStormChild() int {
	ctx := context.Background()
	round, _ := strconv.Atoi(os.Getenv(roundEnv))
	s, err := Open(os.Getenv(dirEnv), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := s.CreateBucket(ctx, coffer.BucketRecord{Name: stormBucket}); err != nil && !errors.Is(err, coffer.ErrBucketExists) {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Uploads a crash left unfinished are abandoned.
	ups, err := s.ListUploads(ctx, stormBucket)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, u := range ups {
		if err := s.AbortUpload(ctx, stormBucket, u.Key, u.ID); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	var mu sync.Mutex
	fail := make(chan error, stormWorkers)
	for w := range stormWorkers {
		go func() {
			for v := roundBase(round); v < roundBase(round+1); v++ {
				for i := range stormKeys {
					key := stormKey(w, i)
					if err := applyVersion(ctx, s, key, v); err != nil {
						fail <- fmt.Errorf("%s version %d: %w", key, v, err)
						return
					}
					mu.Lock()
					fmt.Fprintf(os.Stdout, "ack %s %d\n", key, v)
					mu.Unlock()
				}
			}
		}()
	}
	fmt.Fprintln(os.Stderr, <-fail)
	return 1
}
