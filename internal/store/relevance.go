package store

import (
	"math"

	"github.com/vendor0919/api/internal/ann"
)

// Relevance returns the score /search reports for an ann distance,
// matching LangChain's VectorStore relevance functions as FAISS applies
// them:
//
//   - L2 (distance = squared Euclidean, what IndexFlatL2 returns):
//     _euclidean_relevance_score_fn, 1 - d/sqrt(2).
//   - InnerProduct (distance = -dot, so LangChain's raw FAISS score is
//     dot): _max_inner_product_relevance_score_fn, 1 - dot when dot > 0,
//     else -dot. This is LangChain's own, non-monotonic, formula.
//   - Cosine (distance = 1 - cos): _cosine_relevance_score_fn, 1 - d,
//     which is the cosine similarity. (LangChain's FAISS store with the
//     COSINE strategy feeds that function squared L2 distances instead; a
//     LangChain folder is opened as L2 or InnerProduct unless the metric is
//     overridden, so those scores are reproduced exactly.)
//
// Any other metric yields -distance. The score is always finite: a
// distance that overflowed float32 (a large query against large stored
// rows) scores as the worst, -math.MaxFloat32, or the best for an
// overflowing inner product, instead of an infinity no JSON can carry.
func Relevance(metric ann.Metric, distance float32) float32 {
	r := relevance(metric, distance)
	switch {
	case math.IsNaN(float64(r)) || math.IsInf(float64(r), -1):
		return -math.MaxFloat32
	case math.IsInf(float64(r), 1):
		return math.MaxFloat32
	}
	return r
}

func relevance(metric ann.Metric, distance float32) float32 {
	switch metric {
	case ann.L2:
		return float32(1 - float64(distance)/math.Sqrt2)
	case ann.InnerProduct:
		dot := -distance
		if dot > 0 {
			return 1 - dot
		}
		return -dot
	case ann.Cosine:
		return 1 - distance
	}
	return -distance
}
