// Command api is the vendor0919 RAG service: the container's entrypoint.
//
// Usage:
//
//	api                 serve HTTP (configured by environment variables)
//	api healthcheck     probe /health on the local server; exit 0 if healthy (the container health check)
//	api openapi         print the OpenAPI 3 document this binary serves with this environment
//	api openapi -contract   print the contract (api/openapi.json), whatever the environment
//	api version         print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/httpapi"
	"github.com/vendor0919/api/internal/lifecycle"
	"github.com/vendor0919/api/internal/providers"
)

// Stamped at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "", "serve":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		if err := serve(ctx, getenv, stdout); err != nil {
			if !errors.As(err, new(loggedError)) {
				fmt.Fprintf(stderr, "api: %v\n", err)
			}
			return 1
		}
		return 0
	case "healthcheck":
		return healthcheck(args[1:], getenv, stderr)
	case "openapi":
		return openapi(args[1:], getenv, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: api [serve | healthcheck [-url URL] | openapi [-contract] | version]")
		return 0
	}
	fmt.Fprintf(stderr, "api: unknown command %q (want serve, healthcheck, openapi or version)\n", cmd)
	return 2
}

func versionString() string {
	if commit == "" {
		return version
	}
	return version + " (" + commit + ")"
}

// openapi prints the OpenAPI 3 document: by default the one the server
// would serve with this environment (this build's version; open
// operations without API_KEYS; the embedder's model in the examples), with
// -contract api/openapi.json's form, which make docs writes.
func openapi(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	contract := fs.Bool("contract", false, "print the contract (version placeholder, API keys required), whatever the environment")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var spec []byte
	var err error
	if *contract {
		spec, err = httpapi.OpenAPI3()
	} else {
		var cfg config.Config
		if cfg, err = config.Load(getenv); err != nil {
			fmt.Fprintf(stderr, "api: invalid configuration:\n%v\n", err)
			return 1
		}
		opts := httpapi.Options{Version: versionString(), APIKeys: cfg.APIKeys, Limits: limits(cfg)}
		if cfg.JWT.Enabled() {
			opts.JWT = jwtOn{} // the document asks only whether JWT auth is on
		}
		// Built as serve builds it, for its model's name, which the
		// /v1/embeddings examples give; creating one loads its weights or
		// settings but calls no service.
		if opts.Embedder, err = providers.Embedder(context.Background(), cfg.Providers); err != nil {
			fmt.Fprintf(stderr, "api: embedder %s: %v\n", cfg.Embedder, err)
			return 1
		}
		spec, err = httpapi.OpenAPI3For(opts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "api: %v\n", err)
		return 1
	}
	_, _ = stdout.Write(spec)
	return 0
}

// healthcheck probes /health so the image needs neither shell nor curl.
func healthcheck(args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", config.HealthURL(getenv), "URL to probe")
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := lifecycle.Probe(context.Background(), *url, *timeout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// jwtOn marks JWT auth on for the document; it never verifies anything.
type jwtOn struct{ httpapi.TokenVerifier }
