package ingest

import (
	"fmt"

	"github.com/vendor0919/api/internal/docmodel"
)

// pricePerMillion is the list price in US dollars per million input
// tokens of the hosted models this tool knows (OpenAI and Amazon Bedrock
// on-demand list prices as published when this table was written; check
// them before relying on the figure). It only feeds --dry-run's
// estimate; a model missing here is priced "unknown".
var pricePerMillion = map[string]float64{
	"openai/text-embedding-3-small":        0.02,
	"openai/text-embedding-3-large":        0.13,
	"openai/text-embedding-ada-002":        0.10,
	"bedrock/amazon.titan-embed-text-v2:0": 0.02,
	"bedrock/amazon.titan-embed-text-v1":   0.10,
}

// Cost is the estimated price of embedding some tokens with one model.
type Cost struct {
	USD   float64 // valid when Known
	Known bool
	Local bool // the model runs on our own machines (use-lite-glove, use-lite, hash, ollama): no per-token price
}

// EstimateCost prices tokens with m.
func EstimateCost(m docmodel.EmbeddingModel, tokens int) Cost {
	if m.InProcess() || m.Provider == docmodel.ProviderOllama {
		return Cost{Known: true, Local: true}
	}
	p, ok := pricePerMillion[modelKey(m)]
	if !ok {
		return Cost{}
	}
	return Cost{USD: p * float64(tokens) / 1e6, Known: true}
}

// String returns "$1.23" (six decimals below a cent, "less than
// $0.000001" below that, not a price of nothing), "$0 (self-hosted)" or
// "unknown".
func (c Cost) String() string {
	switch {
	case !c.Known:
		return "unknown"
	case c.Local:
		return "$0 (self-hosted)"
	case c.USD > 0 && c.USD < 0.000001:
		return "less than $0.000001"
	}
	if c.USD < 0.01 {
		return fmt.Sprintf("$%.6f", c.USD)
	}
	return fmt.Sprintf("$%.2f", c.USD)
}
