// Command coffer is Coffer's one binary: the server (serve), the operator's
// tools (admin) and the load generator (bench). It is the only place where
// concrete types are wired together.
package main

import (
	"fmt"
	"os"
)

const usage = `coffer: an S3-compatible object store that encrypts everything

Usage:
  coffer serve [flags]                     run the server (coffer serve -h)
  coffer admin rotate-master-key [flags]   start a new master key version
  coffer admin rewrap [flags]              re-seal object keys under the current master key
  coffer admin rewrap --bucket B --kms-key-id K [--bucket-key]
                                           move a bucket's objects to SSE-KMS under K (keys only, resumable)
  coffer audit verify|export [flags]       check the audit trail's chain, or export it as JSON lines
  coffer bench [flags]                     PUT/GET load against any S3 endpoint
  coffer cp [flags] SRC DST                copy a file to or from S3, encrypting client-side with --cse-* (coffer cp -h)
  coffer cse inspect [--json] s3://B/K     show an object's client-side encryption envelope, without decrypting
  coffer version
`

var version = "dev"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = runServe(os.Args[2:])
	case "admin":
		err = runAdmin(os.Args[2:])
	case "audit":
		err = runAudit(os.Args[2:])
	case "bench":
		err = runBench(os.Args[2:])
	case "cp":
		err = runCp(os.Args[2:])
	case "cse":
		err = runCSE(os.Args[2:])
	case "version":
		fmt.Println("coffer", version)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "coffer: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coffer:", err)
		os.Exit(1)
	}
}
