// Package evalsets holds labelled questions for measuring retrieval on
// public documents that nobody on this project wrote, so that a change to
// chunking, ranking or fusion is judged on material it was not tuned to.
//
// Each set is a folder with questions.json, in the format `vectorstore
// eval --questions` reads ([rag.EvalQuestion]) plus a "sections" list:
//
//	pydoc  Python 3 library reference pages (Debian python3-doc), English
//	manja  Japanese manual pages (Debian manpages-ja), Japanese
//	refdoc the Bash Reference Manual and SQLite's FTS5 page, English
//	pyref  Python's os and unittest reference pages, English; written
//	       blind, first measured once on settled code
//	gitpg  git-log(1) and PostgreSQL's SELECT reference page, English;
//	       written blind, first measured once on settled code
//	apache the Apache HTTP Server's mod_rewrite and core module reference
//	       pages, English; written blind, first measured once on settled
//	       code
//	nodelua Node.js's File system API page and the Lua 5.1 Reference
//	       Manual, English; written blind, first measured once on settled
//	       code
//	gnuman the GNU Autoconf and GNU Libtool manuals (one texinfo page
//	       each), English; written blind, first measured once on settled
//	       code
//	gohap  the Go Programming Language Specification and the HAProxy
//	       Management Guide, English; written blind, first measured once
//	       on settled code
//	sqlperl SQLite's PRAGMA reference page and Perl's perlre (rendered by
//	       pod2html), English; written blind, first measured once on
//	       settled code
//	rstdox the reStructuredText specification and Doxygen's Special
//	       Commands page, English; written blind, first measured once on
//	       settled code
//	rustund the Rust Reference (one page) and the Underscore.js page,
//	       English; written blind, first measured once on settled code
//	gvtls  Graphviz's attribute reference and Postfix's TLS guide,
//	       English; written blind, first measured once on settled code
//	zshpf  the Z shell manual's Expansion chapter and Postfix's
//	       postconf(5), English; written blind, first measured once on
//	       settled code
//
// "documents" names the corpus-relative file that answers a question;
// "sections", which eval scores by when present (a hit is a chunk whose
// url, source#anchor, is one of them exactly), names the answering
// section as "file#id", where id is an HTML id in that file, with every
// section that answers equally well listed. The corpora themselves are not
// in the repository: scripts/eval_corpora.sh installs the Debian packages
// and lays them out under the user cache directory. README.md gives their
// provenance, licences and how the questions were written.
//
// The package has no code, only tests: that each set is well formed and,
// when the corpora are present, that every label points at a file and an
// id that exist.
package evalsets
