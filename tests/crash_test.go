package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// crashBody makes a self-describing body: an 8-byte version, a 32-byte hash
// of the rest, then pseudo-random bytes. A torn or mixed object fails the
// hash; the version says which write it came from.
func crashBody(worker, version, size int) []byte {
	data := randomBytes(fmt.Sprintf("crash-%d-%d", worker, version), size)
	binary.BigEndian.PutUint64(data[:8], uint64(version))
	sum := sha256.Sum256(data[40:])
	copy(data[8:40], sum[:])
	return data
}

func crashBodyVersion(data []byte) (int, bool) {
	if len(data) < 40 {
		return 0, false
	}
	sum := sha256.Sum256(data[40:])
	return int(binary.BigEndian.Uint64(data[:8])), bytes.Equal(sum[:], data[8:40])
}

// TestCrashDuringPutStorm kills the server with SIGKILL while many clients
// overwrite objects, restarts it, and checks that every key holds either
// its last acknowledged version or the one in flight, intact.
func TestCrashDuringPutStorm(t *testing.T) {
	s := startServer(t)
	client := s.sdkClient()
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}
	const workers, keysPerWorker = 8, 4
	sizes := []int{100, 3000, 70_000, 300_000, 1 << 20}
	for round := 0; round < 3; round++ {
		acked := make([][]int, workers) // acked[w][k]: last acknowledged version (-1 none)
		var wg sync.WaitGroup
		stormCtx, stop := context.WithCancel(ctx)
		for w := 0; w < workers; w++ {
			acked[w] = []int{-1, -1, -1, -1}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v := round * 1_000_000; stormCtx.Err() == nil; v++ {
					k := v % keysPerWorker
					body := crashBody(w, v, sizes[(v+w)%len(sizes)])
					_, err := client.PutObject(stormCtx, &s3.PutObjectInput{Bucket: aws.String("crash"),
						Key: aws.String(fmt.Sprintf("w%d/k%d", w, k)), Body: bytes.NewReader(body)})
					if err != nil {
						return
					}
					acked[w][k] = v
				}
			}()
		}
		time.Sleep(1500 * time.Millisecond)
		s.kill()
		stop()
		wg.Wait()
		s.start()

		checked := 0
		for w := 0; w < workers; w++ {
			for k := 0; k < keysPerWorker; k++ {
				key := fmt.Sprintf("w%d/k%d", w, k)
				out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(key)})
				if err != nil {
					if acked[w][k] >= 0 {
						t.Fatalf("round %d: %s lost after crash (last acked version %d): %v", round, key, acked[w][k], err)
					}
					continue
				}
				data, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					t.Fatalf("round %d: %s unreadable after crash: %v", round, key, err)
				}
				version, intact := crashBodyVersion(data)
				if !intact {
					t.Fatalf("round %d: %s is torn after crash", round, key)
				}
				// The key holds the last acknowledged write or a later one
				// that was in flight (versions grow by keysPerWorker per key).
				if version < acked[w][k] || (acked[w][k] >= 0 && version > acked[w][k]+keysPerWorker) {
					t.Fatalf("round %d: %s holds version %d, last acknowledged %d", round, key, version, acked[w][k])
				}
				checked++
			}
		}
		t.Logf("round %d: %d keys intact after SIGKILL", round, checked)
	}
}
