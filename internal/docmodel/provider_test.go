package docmodel

import "testing"

func TestEmbeddingModel_InProcess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		provider string
		want     bool
	}{
		{ProviderUseLiteGlove, true},
		{ProviderUseLite, true},
		{ProviderMiniLM, true},
		{ProviderHash, true},
		{ProviderOpenAI, false},
		{ProviderBedrock, false},
		{ProviderOllama, false}, // self-hosted, but over the network: worth caching
		{"", false},
		{"USE-LITE", false},
	} {
		if got := (EmbeddingModel{Provider: tc.provider}).InProcess(); got != tc.want {
			t.Errorf("InProcess(%q) = %v, want %v", tc.provider, got, tc.want)
		}
	}
}

func TestEmbeddingModel_EnglishOnly(t *testing.T) {
	t.Parallel()
	for provider, want := range map[string]bool{
		ProviderUseLiteGlove: true, ProviderUseLite: true, ProviderMiniLM: true,
		ProviderHash: false, ProviderOpenAI: false, ProviderBedrock: false, ProviderOllama: false, "": false,
	} {
		if got := (EmbeddingModel{Provider: provider}).EnglishOnly(); got != want {
			t.Errorf("EnglishOnly(%q) = %v, want %v", provider, got, want)
		}
	}
}

func TestEmbeddingModel_WorthCaching(t *testing.T) {
	t.Parallel()
	for provider, want := range map[string]bool{
		ProviderMiniLM: true, ProviderOpenAI: true, ProviderBedrock: true, ProviderOllama: true,
		ProviderUseLiteGlove: false, ProviderUseLite: false, ProviderHash: false,
	} {
		if got := (EmbeddingModel{Provider: provider}).WorthCaching(); got != want {
			t.Errorf("WorthCaching(%q) = %v, want %v", provider, got, want)
		}
	}
}
