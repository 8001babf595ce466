package main

import (
	"errors"

	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/providers"
)

// keywordAnalyzer maps --keyword-japanese to the analyzer the server picks
// for the same KEYWORD_JAPANESE value.
func keywordAnalyzer(japanese string) (keyword.Analyzer, error) {
	an, err := providers.KeywordAnalyzer(japanese)
	if errors.Is(err, providers.ErrUnknown) {
		return nil, usageError{msg: "--keyword-japanese: " + err.Error()}
	}
	return an, err
}
