package mem_test

import (
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/storage/keystoretest"
	"github.com/cofferlabs/coffer/storage/mem"
	"github.com/cofferlabs/coffer/storage/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) coffer.Store { return mem.New() })
}

func TestKeyStore(t *testing.T) {
	keystoretest.Run(t, func(t *testing.T) coffer.KeyStore { return mem.New() })
}
