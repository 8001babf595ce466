package httpapi

import (
	"log/slog"
	"net/http"
	"regexp"
	"unicode/utf8"
)

// Feedback bounds: the comment a client may send, and the part of it the
// log line keeps (the comment is the user's words; the log keeps enough to
// read the complaint, not an essay).
const (
	maxFeedbackComment = 2000
	loggedCommentChars = 280
)

// answerIDPattern is rag.NewAnswerID's form.
var answerIDPattern = regexp.MustCompile(`^ans_[a-z2-7]{24}$`)

// feedbackRequest is POST /feedback's body.
type feedbackRequest struct {
	AnswerID string `json:"answer_id" example:"ans_mfrggzdfmztwq2lkmnxw6zlq" pattern:"^ans_[a-z2-7]{24}$"` // the id of the answer, from /query
	Rating   string `json:"rating" enums:"up,down" example:"up"`
	Comment  string `json:"comment,omitempty" maxLength:"2000" example:"Cited the right page."` // optional; logged cut to 280 characters
}

func (f *feedbackRequest) decode(v *validator) {
	f.AnswerID = v.str(field{name: "answer_id", kind: kindString, required: true, pattern: answerIDPattern})
	f.Rating = v.str(field{name: "rating", kind: kindString, required: true, literals: []string{"up", "down"}})
	f.Comment = v.str(field{name: "comment", kind: kindString, maxLen: maxFeedbackComment})
}

// feedbackResponse acknowledges a recorded rating.
type feedbackResponse struct {
	Status   string `json:"status" example:"recorded"`
	AnswerID string `json:"answer_id" example:"ans_mfrggzdfmztwq2lkmnxw6zlq"`
} //	@name	FeedbackResponse

// feedback records a rating of an answer: one "feedback" log line and
// the feedback_total{rating} counter. There is no database; the log is
// the record.
//
//	@Summary	Rate an answer
//	@Description	Records a thumbs up or down for an answer, by the id /query returned, with an optional comment: one structured log line ("feedback": answer_id, rating, comment_len, and the comment cut to 280 characters) and the Prometheus counter feedback_total{rating}. Nothing is stored; the id is checked for its form only.
//	@ID			feedback
//	@Tags		rag
//	@Accept		json
//	@Produce	json
//	@Param		body	body		feedbackRequest	true	"The answer's id and the rating"
//	@Success	200		{object}	feedbackResponse
//	@Failure	422		{object}	validationBody	"The body is not valid JSON or a field is invalid (the problems as pydantic v2 reports them: at most 20 items, then one of type too_many_errors counting the rest)"
//	@Security	BearerAuth
//	@Router		/feedback [post]
func (s *Server) feedback(w http.ResponseWriter, r *http.Request) (any, error) {
	var body feedbackRequest
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
	}
	s.metrics.feedback.WithLabelValues(body.Rating).Inc()
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "feedback",
		slog.String("answer_id", body.AnswerID), slog.String("rating", body.Rating),
		slog.Int("comment_len", utf8.RuneCountInString(body.Comment)),
		slog.String("comment", cutComment(body.Comment)))
	return feedbackResponse{Status: "recorded", AnswerID: body.AnswerID}, nil
}

func cutComment(c string) string {
	n := 0
	for i := range c {
		if n == loggedCommentChars {
			return c[:i]
		}
		n++
	}
	return c
}
