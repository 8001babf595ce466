package store

import "github.com/vendor0919/api/internal/keyword"

func (s *Store) saveDerivedKeyword(*keyword.Index) {}

func (s *Store) loadDerivedKeyword(keyword.Analyzer) *keyword.Index { return nil }
