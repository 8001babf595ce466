package weaviatetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// standInEnv, set in a node's environment, makes the test binary play
// the server (TestMain): nodes named in it as "name:exit" print a line
// naming themselves and exit 1; the others print one, listen on their
// gossip port and answer ready on their REST port until killed.
const standInEnv = "WEAVIATETEST_STAND_IN"

func TestMain(m *testing.M) {
	if v, ok := os.LookupEnv(standInEnv); ok {
		os.Exit(standIn(v))
	}
	os.Exit(m.Run())
}

func standIn(spec string) int {
	name := os.Getenv("CLUSTER_HOSTNAME")
	if strings.Contains(","+spec+",", ","+name+":exit,") {
		fmt.Printf("%s: stand-in giving up\n", name)
		return 1
	}
	fmt.Printf("%s: stand-in found no peer to join\n", name)
	gossip, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("CLUSTER_GOSSIP_BIND_PORT"))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer gossip.Close()
	port := ""
	for i, a := range os.Args {
		if a == "--port" && i+1 < len(os.Args) {
			port = os.Args[i+1]
		}
	}
	srv := &http.Server{Addr: "127.0.0.1:" + port, ReadHeaderTimeout: StartTimeout} //nolint:gosec // G112: bounded above
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/.well-known/ready" {
			http.NotFound(w, r)
		}
	})
	fmt.Println(srv.ListenAndServe())
	return 1
}

// TestLaunch_ErrorCarriesEveryNodesLog: when one node of a cluster fails
// to start, the error shows the other nodes' logs too, where the cause
// often is. node2 of the stand-in cluster exits; node1 is up and its line
// must be in the error as well as node2's.
func TestLaunch_ErrorCarriesEveryNodesLog(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	_, err = Launch(context.Background(), exe, 2, Options{Env: []string{standInEnv + "=node2:exit"}}, t.TempDir())
	if err == nil {
		t.Fatal("Launch succeeded with a node that exits")
	}
	if errors.Is(err, errPortTaken) {
		t.Fatalf("an exit for another reason counted as a taken port: %v", err)
	}
	for _, want := range []string{"node2 exited", "node2: stand-in giving up", "node1 log (tail):\nnode1: stand-in found no peer to join"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
