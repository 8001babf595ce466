// Package config turns the process environment into one typed, validated
// Config. It is the only package that reads environment variables.
//
// Load collects every problem before it returns, so an operator sees all
// bad variables at once, each named with the value it had and what was
// expected. Secrets (API keys, tokens) are never echoed in errors, and
// Config.LogValue redacts them when a Config is logged.
package config
