//go:build !race

package main

// raceEnabled is true when the tests run with -race; the api binary is
// then built with -race too.
const raceEnabled = false
