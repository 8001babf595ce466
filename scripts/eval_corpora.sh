#!/usr/bin/env bash
# eval_corpora.sh materialises the public evaluation corpora that
# internal/evalsets labels questions against, and prints their folders:
#
#   pydoc  Python 3 library reference pages from Debian's python3-doc,
#          copied byte for byte (Sphinx HTML: <section id=...>, API entries
#          as <dt id="json.dumps">).
#   manja  Japanese manual pages from Debian's manpages-ja, rendered by
#          mandoc to HTML and reshaped into one page per manual page: <h1>
#          with the page's name, <h2 id> per .SH and <h3 id> per .SS.
#   refdoc two long English reference manuals, copied byte for byte: the
#          Bash Reference Manual (bash-doc's bashref.html, one texinfo
#          page) and SQLite's FTS5 page (sqlite3-doc's fts5.html).
#   pyref  two long Python 3 library reference pages that pydoc does not
#          use (os.html, unittest.html), copied byte for byte like pydoc.
#          Written blind, measured once before any use (like gitpg).
#   gitpg  two long English reference pages from two more HTML generators,
#          copied byte for byte: git-log(1) from Debian's git-doc
#          (AsciiDoc HTML, ids on <h2 id>/<h3 id>) and PostgreSQL's SELECT
#          reference page from postgresql-doc-15 (DocBook XSL HTML, ids on
#          <div class="refsect1|refsect2" id>).
#   apache two long English module reference pages of the Apache HTTP
#          Server 2.4 manual from Debian's apache2-doc, copied byte for
#          byte from manual/en/mod/ (mod_rewrite.html, core.html; one
#          <div class="directive-section"> per directive, its id on the
#          <h2 id="rewriterule">). Written blind, measured once before
#          any use (like gitpg).
#   nodelua two long English reference pages from two more HTML
#          generators, copied byte for byte: Node.js 18's File system page
#          from Debian's nodejs-doc (api/fs.html, Node's own doc tool: the
#          id on an <a class="mark" id="fsstatpath-options-callback"> in
#          each heading) and the Lua 5.1 Reference Manual from lua5.1-doc
#          (doc/manual.html, copied as lua-manual.html; hand-written, the
#          anchors are <a name="2.8"> in each heading). Written blind,
#          measured once before any use (like gitpg).
#   gnuman two long English GNU manuals, each one page made by texinfo's
#          makeinfo, copied byte for byte: the Autoconf manual from
#          Debian's autoconf-doc (autoconf/autoconf.html) and the Libtool
#          manual from libtool-doc (libtool-doc/libtool.html). Like
#          refdoc's bashref.html, each node is a <div class="section"
#          id="Particular-Programs"> with an empty <span id> before its
#          heading, and macros, functions and variables are <dt id> entries
#          ("index-AC_005fCHECK_005fLIB-1"). Written blind, measured once
#          before any use (like gitpg).
#   gohap  two long English reference pages from two more HTML
#          generators, copied byte for byte: the Go Programming Language
#          Specification from Debian's golang-1.19-doc (html/go_spec.html,
#          the hand-written fragment the Go web site wraps in its
#          template: ids on <h2 id="Types">, <h3 id>, <h4 id>) and the
#          HAProxy 2.6 Management Guide from haproxy-doc
#          (haproxy/html/management.html, copied as
#          haproxy-management.html; made by haproxy-dconv from the
#          plain-text manual: <a class="anchor" id="9.3" name="9.3">
#          before each <h1|h2 id="chapter-9.3">, and the commands as
#          <div class="keyword"> with <a class="anchor" name> but no id).
#          Written blind, measured once before any use (like gitpg).
#   sqlperl two long English reference pages: SQLite's PRAGMA reference
#          from Debian's sqlite3-doc, copied byte for byte as
#          sqlite-pragma.html (SQLite's own documentation generator, like
#          refdoc's fts5.html, but another shape: an empty <a name="toc">
#          before each id-less <h2>, and each of the 74 pragmas an empty
#          <a name="pragma_auto_vacuum"> followed by a hidden
#          <h _id=pragma_auto_vacuum style="display:none">, not a heading),
#          and perlre, Perl's regular expression reference, rendered from
#          perl-doc's pod/perlre.pod by pod2html (Pod::Html 1.33, perl
#          5.36; an HTML generator no other set uses: a <ul id="index">
#          table of contents, ids on <h1 id="DESCRIPTION"> to <h4 id>, and
#          every =item a <dt id="positive_lookbehind:pattern">). Written
#          blind and held back from scripts/eval.sh until its one blind
#          measurement.
#   rstdox two long English reference pages from two HTML generators no
#          other set uses: the reStructuredText Markup Specification
#          from docutils-doc (docs/ref/rst/restructuredtext.html, written
#          by Docutils 0.19: each section a <div class="section" id>
#          around an id-less <h1> to <h4>), and Doxygen's Special Commands
#          reference from doxygen-doc (html/commands.html, copied as
#          doxygen-commands.html; written by Doxygen 1.9.4: every command
#          an <h1> holding an empty <a class="anchor" id="cmdparam">).
#          Written blind and held back from scripts/eval.sh until its one
#          blind measurement.
#   rustund two long English reference pages from two more generators:
#          The Rust Reference as one page (mdBook's print.html from
#          rust-doc, Rust 1.63, copied as rust-reference.html: every
#          chapter's <h1 id> to <h4 id> with an <a class="header">
#          inside), and the Underscore.js documentation from
#          libjs-underscore (index.html, copied as underscore.html; a
#          hand-written page: <h2 id> parts, each function a <p id="map">
#          with a <b class="header">, not a heading). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   gvtls  two long English pages from two more generators: Graphviz's
#          attribute reference from graphviz-doc (html/info/attrs.html,
#          copied as graphviz-attrs.html; made by Graphviz's own script:
#          three headings, a table of every attribute, then one
#          <DT><A NAME=d:arrowhead> per attribute and <A NAME=k:point>
#          per type, no ids at all) and Postfix's TLS guide from
#          postfix-doc (html/TLS_README.html, copied as postfix-tls.html;
#          hand-written: <h2><a name="server_tls"> to <h4>, some headings
#          without an anchor). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   zshpf  two long English reference pages: the Z shell manual's
#          "Expansion" chapter from zsh-doc (html/Expansion.html, copied
#          as zsh-expansion.html; written by texi2any in the shape of
#          refdoc's bashref.html: <div class="section" id="Modifiers">
#          per node, an empty <span id="Modifiers-1"> before its heading,
#          flags and qualifiers <dt> items without ids) and Postfix's
#          postconf(5) parameter
#          reference from postfix-doc (html/postconf.5.html, copied as
#          postfix-postconf.html; Postfix's own man-to-HTML tools: every
#          parameter a <DT><b><a name="maximal_queue_lifetime">).
#          Written blind and held back from scripts/eval.sh until its one
#          blind measurement.
#   imex   two long English reference pages: ImageMagick 6's command-line
#          options from imagemagick-6-doc
#          (imagemagick-6-common/html/www/command-line-options.html, copied
#          as imagemagick-options.html; re-serialised by Debian as XHTML,
#          so self-closed <iframe/> and <span/>; every option an <h3>
#          opening with a self-closed <a class="anchor" id="blur"/>) and
#          the Exim 4.96
#          specification's "String expansions" chapter from exim4-doc-html
#          (spec_html/ch-string_expansions.html, copied as
#          exim-expansions.html; Exim's own generator: <h3 id="SECTexpop">
#          sections, <dt> terms without ids, an index target
#          <a id="vi167"> between each group of terms and its <dd>).
#          Written blind and held back from scripts/eval.sh until its one
#          blind measurement.
#   vimr   two long English reference pages: Vim 9.0's help on options
#          from vim-doc (html/options.html, copied as vim-options.html;
#          made by Vim's vim2html.pl: the whole help file one <PRE>, every
#          topic marked only by link targets, "*<A NAME="'tabstop'">*")
#          and R 4.2's "R Data Import/Export" manual from r-doc-html
#          (R/doc/manual/R-data.html, copied as r-data.html; texi2any 6:
#          <div class="section" id="Using-scan-directly"> per node, with
#          an <h3>). Written blind and held back from scripts/eval.sh
#          until its one blind measurement.
#   jvglib two long English API reference pages from two more generators:
#          the JDK 17 javadoc of java.util.Formatter from openjdk-17-doc
#          (api/java.base/java/util/Formatter.html, copied as
#          java-formatter.html; javadoc 17: <section class="detail"
#          id="format(java.lang.String,java.lang.Object...)"> per member,
#          and the class description's parts titled by <h3><a id="dnum">
#          or by a paragraph that is only <a id="dnint"><b>...</b></a>)
#          and GLib 2.74's "The Main Event Loop" from libglib2.0-doc
#          (gtk-doc/html/glib/glib-The-Main-Event-Loop.html, copied as
#          glib-main-loop.html; gtk-doc: every function a
#          <div class="refsect2"> with an <a name="g-timeout-add"> before
#          its <h3>, and its Parameters and Returns <h4> parts with
#          anchors of their own). Both packages are unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   fflynx two long English manuals from two more generators: ffmpeg
#          5.1's ffmpeg(1) manual from ffmpeg-doc (manual/ffmpeg.html,
#          texi2any 6.8 with ffmpeg's own style: an empty
#          <a name="Main-options"> before each heading, whose "#" and
#          "TOC" links are aria-hidden; options are <dt> items, a few
#          with an <a name>) and the Lynx Users Guide from lynx-common
#          (lynx_help/Lynx_users_guide.html.gz, uncompressed as
#          lynx-guide.html; hand-written: <h2 id="id-Help"> holding an
#          <a name="Help">, which its contents link to, and the options
#          menu's items as <dt><a id="optinfo-cookies">). Both packages
#          are unpacked, not installed (below). Written blind and held
#          back from scripts/eval.sh until its one blind measurement.
#   bindmutt two long English configuration references: BIND 9.18's
#          Configuration Reference from bind9-doc (arm/reference.html,
#          copied as bind-reference.html; Sphinx 5 with BIND's own
#          domain: <section id> per part, each statement a
#          <dt id="namedconf-statement-allow-query">, glossary terms
#          <dt id="term-acl_name">; 1.4 MB) and Mutt 2.2's reference
#          chapter from mutt (html/reference.html, copied as
#          mutt-reference.html; DocBook XSL: every variable a
#          <div class="sect2"> with <h3><a id="abort-noattach">). Both
#          packages are unpacked, not installed (below). Written blind
#          and held back from scripts/eval.sh until its one blind
#          measurement.
#   rusterl two long English API reference pages from two more
#          generators: Rust 1.63's std::collections::HashMap from rust-doc
#          (html/std/collections/struct.HashMap.html, copied as
#          rust-hashmap.html; rustdoc: every method a
#          <section id="method.insert"> with an <h4 class="code-header">,
#          its Examples an <h5 id="examples-12">) and Erlang/OTP 25's ets
#          module from erlang-doc (lib/stdlib-4.2/doc/html/ets.html,
#          copied as erlang-ets.html; erl_docgen: every data type and
#          function an <article> titled by an <h4 id="insert-2">, holding
#          an <h3 id="types">Types</h3>). erlang-doc is unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   hsgtk  two long English API reference pages from two more
#          generators: GHC 9.0's System.IO module from ghc-doc
#          (libraries/base-4.15.1.0/System-IO.html; Haddock: each group's
#          <h1> inside its target, <a id="g:12"><h1>, and every function a
#          <p class="src"> holding an <a id="v:hSetBuffering" class="def">)
#          and GTK 4.8's GtkWidget from libgtk-4-doc (gtk4/class.Widget.html;
#          gi-docgen: the description led by an <h4 id="description"> and
#          its own headings h3, the methods h6 titles linking to pages of
#          their own). Both packages are unpacked, not installed (below).
#          Written blind and held back from scripts/eval.sh until its one
#          blind measurement.
#   qtmk   two long English reference pages from two more generators:
#          Qt 5.15's QObject class reference from qtbase5-doc-html
#          (qtcore/qobject.html; qdoc: a summary table per member kind,
#          then every member an <h3 class="fn" id="blockSignals">) and
#          MkDocs 1.4's configuration reference from mkdocs-doc
#          (html/user-guide/configuration.html, copied as
#          mkdocs-configuration.html; MkDocs' own theme: every setting an
#          <h3 id="site_url"> with a headerlink). Both packages are
#          unpacked, not installed (below). Written blind and held back
#          from scripts/eval.sh until its one blind measurement.
#   rbrkt  two long English reference pages from two more generators:
#          the Ruby API of Asciidoctor 2.0's Asciidoctor::Document from
#          asciidoctor-doc (html/Asciidoctor/Document.html, copied as
#          asciidoctor-document.html; RDoc's darkfish: every method a
#          <div id="method-i-author" class="method-detail"> led by a
#          <div class="method-heading">, its source hidden until clicked)
#          and Racket 8.7's reference chapter "15.2 Filesystem" from
#          racket-doc (reference/Filesystem.html, copied as
#          racket-filesystem.html; Scribble: each part an
#          <a name="(part._fileutils)"> in its heading, the procedures in
#          boxed tables). Both packages are unpacked, not installed
#          (below). Written blind and held back from scripts/eval.sh
#          until its one blind measurement.
#   vlgrn  two long English reference pages in the two Sphinx themes
#          most projects publish with: Verilator 5.006's "verilator
#          Arguments" from the verilator package (html/exe_verilator.html,
#          copied as verilator-arguments.html; Read the Docs theme: every
#          option a <dt id="cmdoption-build"> of Sphinx's option domain)
#          and Groonga 13's select command reference from groonga-doc
#          (en/html/reference/commands/select.html, copied as
#          groonga-select.html; pydata-sphinx-theme: nested <section id>
#          with numbered headings, previous/next links at the foot). Both
#          packages are unpacked, not installed (below). Written blind
#          and held back from scripts/eval.sh until its one blind
#          measurement.
#   ptytnd two long English reference pages from generators no set
#          used: PuTTY 0.78's "Configuring PuTTY" from putty-doc
#          (Chapter4.html, copied as putty-config.html; Halibut: numbered
#          headings, each with its <a name>, a Previous/Contents/Index/Next
#          bar named only in the head) and Tornado 6.2's tornado.web API
#          reference from python-tornado-doc (html/web.html, copied as
#          tornado-web.html; Sphinx autodoc with viewcode: every class,
#          method and attribute a <dt id="tornado.web.RequestHandler.write">
#          followed by a "[source]" link). Both packages are unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   gtsdl  two long English reference pages, a tool manual and a C API:
#          GNU gettext 0.21's chapter "Manipulating PO Files" from
#          gettext-doc (gettext_9.html, copied as gettext-po-tools.html;
#          texi2html 1.78: <a name="SEC87"> before each numbered heading,
#          [ < ] [ > ] button bars) and SDL 2.26's SDL_video.h reference
#          from libsdl2-doc (html/dc/d64/_s_d_l__video_8h.html, copied as
#          sdl-video.html; Doxygen: member lists, then each function's
#          h2.memtitle with its id'd anchor). Both packages are unpacked,
#          not installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   cmbst  two long English reference pages, a build tool's manual and a
#          C++ library's chapter: CMake 3.25's cmake-generator-expressions(7)
#          from cmake-doc (manual/cmake-generator-expressions.7.html, copied
#          as cmake-genex.html; Sphinx in CMake's own theme, each
#          expression a <dt id="genex:IF">) and Boost 1.81's Boost.Thread
#          chapter "Synchronization" from libboost1.81-doc
#          (doc/html/thread/synchronization.html, 1.6 MB, copied as
#          boost-sync.html; BoostBook: DocBook XSL with Boost's site menu
#          and <a name> anchors on every heading). Both packages are
#          unpacked, not installed (below). Written blind and held back
#          from scripts/eval.sh until its one blind measurement.
#   djfla  two long English API references from the two most used Python
#          web frameworks: Django 3.2's QuerySet API reference from
#          python-django-doc (html/ref/models/querysets.html, copied as
#          django-querysets.html; Sphinx in Django's theme: each method a
#          section with a signature-only <dt id>, the site's name in an h1
#          above the page's) and Flask 2.2's API reference from
#          python-flask-doc (html/api.html, 0.9 MB, copied as
#          flask-api.html; Sphinx autodoc in the Pallets theme). Both
#          packages are unpacked, not installed (below). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   sphreq two long English references in Sphinx's two house themes:
#          Sphinx 5.3's "Configuration" from sphinx-doc
#          (html/usage/configuration.html, copied as
#          sphinx-configuration.html; Sphinx's own theme, each setting a
#          <dt id="confval-copyright">) and Requests 2.28's "Developer
#          Interface" from python-requests-doc (html/api.html, copied as
#          requests-api.html; autodoc in the alabaster theme, Sphinx's
#          default). Both packages are unpacked, not installed (below).
#          Written blind and held back from scripts/eval.sh until its one
#          blind measurement.
#   pdxml  a user guide and an API reference from two generators no set
#          had: pandas 1.5's "Group by: split-apply-combine" from
#          python-pandas-doc (html/user_guide/groupby.html, copied as
#          pandas-groupby.html; Sphinx in the PyData theme, IPython
#          examples with their output) and libxml2 2.9's parser API from
#          libxml2-doc (html/html/libxml-parser.html, under its own name;
#          libxml2's own XSLT: a synopsis of one pre per declaration, then
#          an h3 per macro, enum, structure and function). Both packages
#          are unpacked, not installed (below). Written blind and held back
#          from scripts/eval.sh until its one blind measurement.
#   atmom  an API reference in Sphinx's Furo theme and a hand-written
#          macro reference: attrs 22.2's "API Reference" from
#          python-attr-doc (html/api.html, copied as attrs-api.html) and
#          mom's "The document element tags", the groff macro package's
#          manual page from groff (html/mom/docelement.html, copied as
#          mom-docelement.html; its two links to itself by name become
#          links to another page). Both packages are unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   sqvg   a database dialect's reference and a tool's manual chapter:
#          SQLAlchemy 1.4's "PostgreSQL" dialect page from
#          python-sqlalchemy-doc (html/dialects/postgresql.html, copied as
#          sqlalchemy-postgresql.html; Sphinx in SQLAlchemy's zzzeeksphinx
#          theme) and Valgrind 3.19's "Using and understanding the Valgrind
#          core" from valgrind (html/manual-core.html, copied as
#          valgrind-core.html; DocBook XSL in Valgrind's style). Both
#          packages are unpacked, not installed (below). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   ydcal  a tool's tag reference and a library's module reference from
#          two generators no set had: YARD 0.9.28's "Tags Overview" from
#          yard-doc (doc/file.Tags.html, copied as yard-tags.html; YARD's
#          own templates, from Markdown) and the OCaml Calendar library's
#          CalendarLib.Date from libcalendar-ocaml-doc
#          (_html/calendar/CalendarLib/Date/index.html, copied as
#          calendar-date.html; odoc 2.1). Both packages are unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   ocdply a web framework's module reference and a data library's
#          vignette: Eliom 9.4's Eliom_state from libeliom-ocaml-doc
#          (server/api.docdir/Eliom_state.html, copied as
#          eliom-state.html; ocamldoc) and dplyr 1.0.10's "Row-wise
#          operations" from r-cran-dplyr (doc/rowwise.html, copied as
#          dplyr-rowwise.html; R Markdown through pandoc). Both packages
#          are unpacked, not installed (below). Written blind and held
#          back from scripts/eval.sh until its one blind measurement.
#   crhdoc a standard library class's reference and a tool's one-page
#          manual, from two generators no set had: Crystal 1.6's
#          HTTP::Client from crystal-doc (api-docs/HTTP/Client.html, copied
#          as crystal-http-client.html; crystal doc, a method's div titled
#          by its signature) and the HTMLDOC 1.9 Users Manual from
#          htmldoc-common (htmldoc.html, copied as htmldoc-manual.html;
#          HTMLDOC's own HTML output, Latin-1). Both packages are unpacked,
#          not installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   chzfpd a language's user guide chapter and a tool's one-page manual,
#          from two LaTeX converters no set had: Chez Scheme 9.5's
#          "Foreign Interface" from chezscheme-doc (html/foreign.html,
#          copied as chez-foreign.html; Chez's own TeX-to-HTML) and the
#          FPDoc manual from fp-docs-3.2.2 (fpdoc/fpdoc.html, copied as
#          fpdoc-manual.html; HeVeA 2.36). Both packages are unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   drfuvi two Python web libraries' guides, from two MkDocs themes:
#          Django REST framework 3.14's "Serializer fields" from
#          python-djangorestframework-doc (api-guide/fields/index.html,
#          copied as drf-fields.html; DRF's own bootstrap theme, its
#          search dialog hidden by aria-hidden) and Uvicorn 0.17's
#          "Deployment" from python-uvicorn-doc (deployment/index.html,
#          copied as uvicorn-deployment.html; Material for MkDocs). Both
#          packages are unpacked, not installed (below). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   wchslm a wire protocol's specification and a daemon's configuration
#          manual, from two generators no set had: WeeChat 3.8's "Relay
#          protocol" from weechat-doc (weechat_relay_protocol.en.html,
#          copied as weechat-relay.html; Asciidoctor 2.0) and Slurm 22.05's
#          slurm.conf(5) from slurm-wlm-doc (slurm.conf.html, copied as
#          slurm-conf.html; man2html inside Slurm's site template, each
#          parameter a <dt> with a permalink carrying its id). Both
#          packages are unpacked, not installed (below). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   nimgap a language manual and a computer algebra system's reference
#          chapter, from two generators no set had: the Nim 1.6 manual
#          from nim-doc (html/manual.html, copied as nim-manual.html; Nim's
#          own doc generator, one 940 KB page) and chapter 21 "Lists" of
#          the GAP 4.12 reference manual from gap-doc (doc/ref/chap21.html,
#          copied as gap-lists.html; GAPDoc2HTML). Both packages are
#          unpacked, not installed (below). Written blind and held back
#          from scripts/eval.sh until its one blind measurement.
#   swicpp a library's HTTP client and server manual and a language
#          reference page, from two generators no set had: SWI-Prolog
#          9.0's "SWI-Prolog HTTP support" from swi-prolog-doc
#          (doc/packages/http.html, copied as swi-http.html; SWI-Prolog's
#          own LaTeX-to-HTML converter, each predicate a <dt> whose anchor
#          follows a "[det]" tag) and cppreference's "Overload resolution"
#          from cppreference-doc-en-html (en/cpp/language/
#          overload_resolution.html, copied as cppref-overload.html;
#          MediaWiki 1.21, each heading's id on a span inside it). Both
#          packages are unpacked, not installed (below). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   l2hsca a LaTeX converter's manual chapter and a library class's API
#          page, from two generators no set had: LaTeX2HTML 2023's
#          "Hypertext Extensions to LaTeX" from latex2html (html/node7.html,
#          copied as l2h-node7.html; LaTeX2HTML's own output, a navigation
#          panel and a list of subsections in every section) and Scala
#          2.11's scala.util.matching.Regex from scala-doc
#          (api/library/scala/util/matching/Regex.html, copied as
#          scala-regex.html; Scaladoc 2.11, each member's ids in empty
#          anchors before its heading). Both packages are unpacked, not
#          installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   cupiki a C library's programming manual and a wiki compiler's plugin
#          reference, from two generators no set had: the CUPS 2.4
#          Programming Manual from cups-server-common
#          (cups/doc-root/help/cupspm.html, copied as cups-programming.html;
#          codedoc 3.7, Michael Sweet's generator: <h2|h3|h4 id> in the
#          prose, every function, type, structure and enumeration an
#          <h3> holding an <a id="cupsAddDest">, with Parameters, Return
#          Value and Discussion <h4>s without ids) and ikiwiki's "write",
#          its plugin interface reference, from ikiwiki
#          (html/plugins/write.html, copied as ikiwiki-plugin-write.html;
#          ikiwiki's own output from Markdown, its toc directive putting
#          an <a name="index5h3"> in every heading, the wiki's header,
#          actions and footer around div#content). Both packages are unpacked, not installed
#          (below). Written blind and held back from scripts/eval.sh until
#          its one blind measurement.
#   awetin a window manager's Lua API class and a terminal database's
#          manual page, from two generators no set had: awesome 4.3's
#          client class from awesome-doc (doc/classes/client.html, copied
#          as awesome-client.html; LDoc: every function, property, signal
#          and theme variable a <dt> opened by an empty
#          <a name = "client.focus">, grouped under <h2 class=
#          "section-header"><a name="Signals">) and terminfo(5) of ncurses
#          6.4 from ncurses-doc (html/man/terminfo.5.html, under its own
#          name, which its links to itself use; Thomas E. Dickey's man2html
#          script: the page as nroff formatted it, in <PRE> blocks between
#          <H2|H3><a name="h3-Color-Handling"> headings). Both packages are
#          unpacked, not installed (below). Written blind and held back from
#          scripts/eval.sh until its one blind measurement.
#   swgtom a wrapper generator's language chapter and an application
#          server's configuration reference, from two generators no set
#          had: SWIG 4.1's "SWIG and Python" from swig4.0-doc
#          (Manual/Python.html, copied as swig-python.html; hand-written
#          HTML numbered by SWIG's makechap.py: an <!-- INDEX --> list of
#          in-page links, every heading an <H2|H3|H4><a name="Python_nn4">)
#          and Tomcat 10.1's "The Valve Component" from tomcat10-docs
#          (docs/config/valve.html, copied as tomcat-valve.html; Tomcat's
#          own XSLT over its XML sources: a header and a <nav> sidebar,
#          then <h3|h4|h5 id="Remote_IP_Valve/Attributes"> headings and
#          every attribute a row of a <table class="defaultTable">). Both
#          packages are unpacked, not installed (below). Written blind and
#          held back from scripts/eval.sh until its one blind measurement.
#   texchk a TeX distribution's installation guide and a Scheme
#          compiler's base library reference, from two generators no set
#          had: the TeX Live Guide 2022 from texlive-base
#          (texlive/texlive-en/texlive-en.html, copied as
#          texlive-guide.html; TeX4ht: a contents list of in-page links,
#          then <h3|h4|h5 class="(sub)*sectionHead"> headings, each with a
#          <span class="titlemark"> number and an empty <a id="x1-150003.1">)
#          and CHICKEN 5.3's "Module (chicken base)" from chicken-bin
#          (manual-html/Module (chicken base).html, copied as
#          chicken-base.html; CHICKEN's svnwiki-to-HTML rendering: a
#          <div id="toc"> list of in-page links, then <h2|h3|h4|h5
#          id="sec:exit-handler"> headings, period-encoded, every
#          procedure a <dl class="defsig"> with a <dt id="def:exit">).
#          Both packages are unpacked, not installed (below). Written blind
#          and held back from scripts/eval.sh until its one blind
#          measurement.
#   cppprv a C++ textbook's library chapter and a filtering proxy's
#          configuration reference, from two generators no set had:
#          chapter 18 "The Standard Template Library" of the C++
#          Annotations 12.2 from c++-annotations-html
#          (html/cplusplus18.html, copied as cpp-stl.html; Yodl: a list of
#          "Table of Contents", "Previous Chapter" and "Next Chapter" links
#          above and below, then <h1|h2|h3|h4> headings without ids, each
#          after empty <a name="l347"></a> anchors, with numbers such as
#          "18.8.4.2:" in their text) and Privoxy 3.0.34's "Actions Files"
#          from privoxy (user-manual/actions-file.html, copied as
#          privoxy-actions.html; DocBook SGML through Jade's Modular
#          DocBook HTML Stylesheet 1.79 (DSSSL), upper-case tags, a
#          navigation table above and below, then <H1|H2|H3|H4
#          CLASS="SECT1..3"><A NAME="BLOCK"> headings, every action a
#          SECT3 with a <DL> of its Typical use, Effect, Type, Parameter,
#          Notes and Examples). Both packages are unpacked, not installed
#          (below). Written blind and held back from scripts/eval.sh until
#          its one blind measurement.
#   rcsnit a cloud sync tool's whole user manual and a Tcl object
#          system's reference page, from two generators no set had:
#          rclone 1.60's user manual from rclone (MANUAL.html, copied as
#          rclone-manual.html; plain pandoc, one standalone page of 2 MB:
#          a title block, then <h1|h2|h3|h4|h5 id="sync-options"> headings,
#          pandoc's ids made unique with "-1", "-2", ... suffixes) and
#          snit 2.3.2, "Snit's Not Incr Tcl", from tcllib (html/snit.html,
#          copied as tcl-snit.html; tcllib's doctools: a contents list of
#          in-page links, then <div class="doctools_section"> sections
#          with <h2|h3><a name="subsection3"> headings, every command a
#          <dt><a name="12"> in a <dl class="doctools_definitions">).
#          Both packages are unpacked, not installed (below). Written blind
#          and held back from scripts/eval.sh until its one blind
#          measurement.
#   povsch a ray tracer's scene language reference and a Scheme
#          system's library chapter, from two generators no set had:
#          POV-Ray 3.7's "Reference Section 4" (3.4 Scene File Elements)
#          from povray-doc (html/r3_4.html, copied as povray-scene.html;
#          the offline HTML POV-Ray exports from its documentation wiki,
#          one page of 840 KB, declared windows-1252 but ASCII: a
#          NavPanel table of in-page links, then for each section an
#          empty <a name="r3_4_5_1_3">
#          before a <div class="content-level-h5" id="r3_4_5_1_3"> that
#          opens with an <h2|h3|h4|h5|h6> "3.4.5.1.3 Cone" without id) and
#          chapter 5 "Libraries" of The Incomplete Scheme 48 Reference
#          Manual for release 1.9.2 from scheme48-doc
#          (html/manual-Z-H-6.html, copied as scheme48-libraries.html;
#          tex2page 20130325: a "[Go to first, previous, next page;
#          contents; index]" line above and below, then <h1|h2|h3|h4|h5
#          class=section> headings each after an empty <a
#          name="node_sec_5.12">, unnumbered ones "node_sec_Temp_5", and
#          an empty <a name="node_idx_214"> after each indexed term).
#          Both packages are unpacked, not installed (below). Written blind
#          and held back from scripts/eval.sh until its one blind
#          measurement.
#   jadeb  two long Japanese chapters from two Debian documentation
#          packages and two generators, the first Japanese set since
#          manja and the first not made from manual pages: chapter 5
#          "パッケージの取扱い方" of the Debian Developer's Reference 12.18
#          from developers-reference-ja
#          (developers-reference/ja/pkgs.html, copied as
#          devref-pkgs.html; Sphinx 5.3 in the nature theme: nested
#          <section id="delayed-uploads"> with an empty <span id> before
#          most headings, the related-navigation bars and a sidebar
#          around the body, some parts left in English by the
#          translation) and chapter 2 "Debian パッケージ管理" of Debian
#          Reference 2.100 from debian-reference-ja
#          (debian-reference/ch02.ja.html, under its own name, which its
#          table of contents and its links to itself use; DocBook XSL as
#          XHTML: <div class="section"> per section with an
#          <h2|h3 class="title"><a id="_emergency_downgrading"/>,
#          admonitions and package lists as tables, a navheader and
#          navfooter table).
#          Both packages are unpacked, not installed (below). Written
#          blind and held back from scripts/eval.sh until its one blind
#          measurement.
#   dkcomp two long English reference pages written in Markdown, the
#          first set that is not HTML: the Dockerfile reference of Docker
#          20.10 from docker-doc (reference/builder.md, gunzipped and
#          copied as dockerfile-reference.md: Jekyll front matter with its
#          title, GitHub-flavoured Markdown, "## FROM" per instruction, an
#          HTML comment before the body, fenced examples whose lines open
#          with "#") and the command-line chapter of Composer 2.5 from
#          composer (doc/03-cli.md, gunzipped and copied as
#          composer-cli.md: "## install / i" per command, each with its
#          own "### Options", so anchors options, options-1, ... as
#          GitHub numbers them). Both packages are unpacked, not
#          installed. Written blind and held back from scripts/eval.sh
#          until its one blind measurement.
#   radgnu two long English manuals as PDF, the first set that is
#          neither HTML nor Markdown: "R Installation and Administration"
#          of R 4.2 from r-doc-pdf (manual/R-admin.pdf, 85 pages, texinfo
#          through pdfTeX: numbered headings, an outline of 109 bookmarks
#          to named destinations) and the gnuplot 5.4 documentation from
#          gnuplot-doc (gnuplot.pdf, 311 pages, LaTeX with hyperref: an
#          outline of 648 bookmarks, headings mostly without numbers),
#          copied byte for byte. Labels are pages (FILE#page=N, the PDF's
#          page index). Both packages are unpacked, not installed. Written
#          blind and held back from scripts/eval.sh until its one blind
#          measurement.
#
# A section id is its heading text with every run of characters other than
# letters, digits and "-" turned into "_" ("テスト (test)" -> "テスト_test"),
# so it stays the same as long as the heading does and needs no escaping in
# a URL but UTF-8; a repeated heading in one page gets "_2", "_3". Other ids
# that mandoc sets (one per option in tagged lists) are dropped, so that a
# section's id is the only anchor inside it. Line breaks between two
# Japanese characters are removed (they come from the roff source's line
# wrapping, and a browser would show them as stray spaces).
#
# Installs python3-doc, manpages-ja, mandoc, bash-doc, sqlite3-doc, git-doc,
# postgresql-doc-15, apache2-doc, lua5.1-doc, autoconf-doc, libtool-doc
# (which pull in gnu-standards), golang-1.19-doc, haproxy-doc (which
# pulls in libjs-bootstrap, libjs-jquery and libjs-sphinxdoc), perl-doc,
# docutils-doc, doxygen-doc, rust-doc, libjs-underscore, graphviz-doc,
# postfix-doc, zsh-doc (which pulls in zsh and zsh-common), imagemagick-6-doc
# (which pulls in imagemagick-6-common), exim4-doc-html, vim-doc and
# r-doc-html with apt-get when missing
# (apt-get update runs once, only then). nodejs-doc is downloaded and
# unpacked under the cache instead: installing it makes apt remove a
# Node.js that did not come from Debian (NodeSource's package conflicts
# with it), and the test suite needs the machine's Node.js. So are the
# two pages jvglib takes from openjdk-17-doc (275 MB installed) and
# libglib2.0-doc (whose install would upgrade the machine's GLib), and
# fflynx's from ffmpeg-doc and lynx-common, bindmutt's from bind9-doc
# and mutt (a mail client whose install pulls in more), rusterl's
# from erlang-doc (209 MB installed), hsgtk's from ghc-doc (280 MB
# installed) and libgtk-4-doc, qtmk's from qtbase5-doc-html (124 MB
# installed) and mkdocs-doc, rbrkt's from asciidoctor-doc and
# racket-doc (210 MB installed), vlgrn's from verilator (a compiler
# with its toolchain dependencies) and groonga-doc, ptytnd's from
# putty-doc and python-tornado-doc, gtsdl's from gettext-doc and
# libsdl2-doc, cmbst's from cmake-doc and libboost1.81-doc, djfla's
# from python-django-doc and python-flask-doc, sphreq's from
# sphinx-doc and python-requests-doc, and pdxml's from python-pandas-doc
# (260 MB installed) and libxml2-doc, atmom's from python-attr-doc and
# groff, sqvg's from python-sqlalchemy-doc and valgrind (78 MB
# installed, with libc6-dbg), ydcal's from yard-doc and
# libcalendar-ocaml-doc, ocdply's from libeliom-ocaml-doc and
# r-cran-dplyr (which would pull in R), crhdoc's from crystal-doc and
# htmldoc-common, chzfpd's from chezscheme-doc and fp-docs-3.2.2,
# drfuvi's from python-djangorestframework-doc and python-uvicorn-doc,
# wchslm's from weechat-doc and slurm-wlm-doc, nimgap's from nim-doc
# and gap-doc, swicpp's from swi-prolog-doc and
# cppreference-doc-en-html, l2hsca's from latex2html and scala-doc,
# cupiki's from cups-server-common and ikiwiki, awetin's from
# awesome-doc and ncurses-doc, swgtom's from swig4.0-doc and
# tomcat10-docs, texchk's from texlive-base and chicken-bin,
# cppprv's from c++-annotations-html and privoxy, rcsnit's from
# rclone (a 56 MB program installed) and tcllib, povsch's from
# povray-doc and scheme48-doc, jadeb's from developers-reference-ja
# and debian-reference-ja, dkcomp's from docker-doc and composer, and
# radgnu's from r-doc-pdf and gnuplot-doc.
# Output is
# deterministic: the same package versions give byte-identical files.
# Folders:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/eval/{pydoc,manja,refdoc,pyref,gitpg,apache,nodelua,gnuman,gohap,sqlperl,rstdox,rustund,gvtls,zshpf,imex,vimr,jvglib,fflynx,bindmutt,rusterl,hsgtk,qtmk,rbrkt,vlgrn,ptytnd,gtsdl,cmbst,djfla,sphreq,pdxml,atmom,sqvg,ydcal,ocdply,crhdoc,chzfpd,drfuvi,wchslm,nimgap,swicpp,l2hsca,cupiki,awetin,swgtom,texchk,cppprv,rcsnit,povsch,jadeb,dkcomp,radgnu}
# Usage: bash scripts/eval_corpora.sh   (prints "pydoc DIR", "manja DIR",
# "refdoc DIR", "pyref DIR", "gitpg DIR", "apache DIR", "nodelua DIR",
# "gnuman DIR", "gohap DIR", "sqlperl DIR", "rstdox DIR", "rustund DIR",
# "gvtls DIR", "zshpf DIR", "imex DIR", "vimr DIR", "jvglib DIR",
# "fflynx DIR", "bindmutt DIR", "rusterl DIR", "hsgtk DIR", "qtmk DIR",
# "rbrkt DIR", "vlgrn DIR", "ptytnd DIR", "gtsdl DIR", "cmbst DIR",
# "djfla DIR", "sphreq DIR", "pdxml DIR", "atmom DIR", "sqvg DIR",
# "ydcal DIR", "ocdply DIR", "crhdoc DIR", "chzfpd DIR", "drfuvi DIR",
# "wchslm DIR", "nimgap DIR", "swicpp DIR", "l2hsca DIR", "cupiki DIR",
# "awetin DIR", "swgtom DIR", "texchk DIR", "cppprv DIR", "rcsnit DIR",
# "povsch DIR", "jadeb DIR", "dkcomp DIR" and "radgnu DIR")
set -euo pipefail

root=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/eval
log() { echo "eval_corpora: $*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The corpora, in the order they are printed.
corpora=(pydoc manja refdoc pyref gitpg apache nodelua gnuman gohap sqlperl rstdox rustund gvtls zshpf imex vimr jvglib fflynx bindmutt rusterl hsgtk qtmk rbrkt vlgrn ptytnd gtsdl cmbst djfla sphreq pdxml atmom sqvg ydcal ocdply crhdoc chzfpd drfuvi wchslm nimgap swicpp l2hsca cupiki awetin swgtom texchk cppprv rcsnit povsch jadeb dkcomp radgnu)

# The fixed lists; internal/evalsets/README.md gives the reasons. A file
# given as SOURCE:NAME is copied under NAME, else under its own name.
pydoc_pages=(argparse csv datetime json logging pathlib re shutil sqlite3 subprocess)
manja_pages=(
	man1/chmod.1 man1/crontab.1 man5/crontab.5 man1/date.1 man1/find.1
	man1/grep.1 man1/gzip.1 man1/less.1 man1/ls.1 man1/ps.1
	man1/sed.1 man1/sort.1 man8/sudo.8 man1/tar.1 man1/xargs.1 man8/useradd.8
)
refdoc_files=(/usr/share/doc/bash/bashref.html /usr/share/doc/sqlite3/fts5.html)
pyref_pages=(os unittest)
gitpg_files=(/usr/share/doc/git-doc/git-log.html /usr/share/doc/postgresql-doc-15/html/sql-select.html)
apache_files=(/usr/share/doc/apache2-doc/manual/en/mod/mod_rewrite.html /usr/share/doc/apache2-doc/manual/en/mod/core.html)
# nodelua names its files: Lua's "manual.html" says nothing of what it is.
# Node's page comes from an unpacked package (unpack_page below).
nodepage=usr/share/doc/nodejs/api/fs.html
nodelua_files=("$root/.debs/nodejs-doc/$nodepage:fs.html" /usr/share/doc/lua5.1-doc/doc/manual.html:lua-manual.html)
gnuman_files=(/usr/share/doc/autoconf/autoconf.html /usr/share/doc/libtool-doc/libtool.html)
# gohap names HAProxy's file, for the same reason as nodelua.
gohap_files=(/usr/share/doc/golang-1.19-doc/html/go_spec.html /usr/share/doc/haproxy/html/management.html:haproxy-management.html)
# sqlperl names SQLite's file, for the same reason; perlre.html is
# rendered below.
sqlperl_files=(/usr/share/doc/sqlite3/pragma.html:sqlite-pragma.html)
# rstdox names Doxygen's file, for the same reason.
rstdox_files=(/usr/share/doc/docutils-doc/docs/ref/rst/restructuredtext.html /usr/share/doc/doxygen/html/commands.html:doxygen-commands.html)
# rustund names both files: print.html and index.html say nothing.
rustund_files=(/usr/share/doc/rust-doc/html/reference/print.html:rust-reference.html /usr/share/doc/libjs-underscore/index.html:underscore.html)
# gvtls names both files: attrs.html and TLS_README.html say little.
gvtls_files=(/usr/share/doc/graphviz/html/info/attrs.html:graphviz-attrs.html /usr/share/doc/postfix/html/TLS_README.html:postfix-tls.html)
# zshpf names both files, for the same reason.
zshpf_files=(/usr/share/doc/zsh-common/html/Expansion.html:zsh-expansion.html /usr/share/doc/postfix/html/postconf.5.html:postfix-postconf.html)
# imex names both files, for the same reason.
imex_files=(/usr/share/doc/imagemagick-6-common/html/www/command-line-options.html:imagemagick-options.html /usr/share/doc/exim4-doc-html/spec_html/ch-string_expansions.html:exim-expansions.html)
# vimr names both files, for the same reason.
vimr_files=(/usr/share/doc/vim/html/options.html:vim-options.html /usr/share/R/doc/manual/R-data.html:r-data.html)
# jvglib's pages come from unpacked packages (unpack_page below); both
# files are named, for the same reason as nodelua.
jdkpage=usr/share/doc/openjdk-17-jre-headless/api/java.base/java/util/Formatter.html
glibpage=usr/share/gtk-doc/html/glib/glib-The-Main-Event-Loop.html
jvglib_files=("$root/.debs/openjdk-17-doc/$jdkpage:java-formatter.html" "$root/.debs/libglib2.0-doc/$glibpage:glib-main-loop.html")
# fflynx's too; Lynx's guide is gzipped and uncompressed below.
ffpage=usr/share/doc/ffmpeg/manual/ffmpeg.html
lynxpage=usr/share/doc/lynx-common/lynx_help/Lynx_users_guide.html.gz
fflynx_files=("$root/.debs/ffmpeg-doc/$ffpage")
# bindmutt's too; both files are named, for the same reason as nodelua.
bindpage=usr/share/doc/bind9-doc/arm/reference.html
muttpage=usr/share/doc/mutt/html/reference.html
bindmutt_files=("$root/.debs/bind9-doc/$bindpage:bind-reference.html" "$root/.debs/mutt/$muttpage:mutt-reference.html")
# rusterl's Erlang page too; both files are named, for the same reason.
erlpage=usr/share/doc/erlang-doc/lib/stdlib-4.2/doc/html/ets.html
rusterl_files=(/usr/share/doc/rust-doc/html/std/collections/struct.HashMap.html:rust-hashmap.html "$root/.debs/erlang-doc/$erlpage:erlang-ets.html")
# hsgtk's two pages keep their names: both are unique, and each page
# links to itself by its name.
hspage=usr/share/doc/ghc-doc/html/libraries/base-4.15.1.0/System-IO.html
gtkpage=usr/share/doc/libgtk-4-doc/gtk4/class.Widget.html
hsgtk_files=("$root/.debs/ghc-doc/$hspage" "$root/.debs/libgtk-4-doc/$gtkpage")
# qtmk's Qt page keeps its name (it links to itself by it); MkDocs'
# links within itself by fragment only.
qtpage=usr/share/qt5/doc/qtcore/qobject.html
mkdpage=usr/share/doc/mkdocs/html/user-guide/configuration.html
qtmk_files=("$root/.debs/qtbase5-doc-html/$qtpage" "$root/.debs/mkdocs-doc/$mkdpage:mkdocs-configuration.html")
rbpage=usr/share/doc/asciidoctor-doc/html/Asciidoctor/Document.html
rktpage=usr/share/doc/racket/reference/Filesystem.html
rbrkt_files=("$root/.debs/asciidoctor-doc/$rbpage:asciidoctor-document.html" "$root/.debs/racket-doc/$rktpage:racket-filesystem.html")
# vlgrn names both files: exe_verilator.html and select.html say little,
# and both pages link within themselves by fragment only.
vlpage=usr/share/doc/verilator/html/exe_verilator.html
grnpage=usr/share/doc/groonga-doc/en/html/reference/commands/select.html
vlgrn_files=("$root/.debs/verilator/$vlpage:verilator-arguments.html" "$root/.debs/groonga-doc/$grnpage:groonga-select.html")
# ptytnd names both files: Chapter4.html and web.html say little.
ptypage=usr/share/doc/putty-doc/Chapter4.html
tndpage=usr/share/doc/python-tornado-doc/html/web.html
ptytnd_files=("$root/.debs/putty-doc/$ptypage:putty-config.html" "$root/.debs/python-tornado-doc/$tndpage:tornado-web.html")
# gtsdl names both files: gettext_9.html and _s_d_l__video_8h.html say
# little.
gtpage=usr/share/doc/gettext/gettext_9.html
sdlpage=usr/share/doc/libsdl2-doc/html/dc/d64/_s_d_l__video_8h.html
gtsdl_files=("$root/.debs/gettext-doc/$gtpage:gettext-po-tools.html" "$root/.debs/libsdl2-doc/$sdlpage:sdl-video.html")
# cmbst names both files: the Boost chapter is synchronization.html.
cmpage=usr/share/doc/cmake-data/html/manual/cmake-generator-expressions.7.html
bstpage=usr/share/doc/libboost1.81-doc/doc/html/thread/synchronization.html
cmbst_files=("$root/.debs/cmake-doc/$cmpage:cmake-genex.html" "$root/.debs/libboost1.81-doc/$bstpage:boost-sync.html")
# djfla names both files: querysets.html and api.html say little.
djpage=usr/share/doc/python-django-doc/html/ref/models/querysets.html
flpage=usr/share/doc/python-flask-doc/html/api.html
djfla_files=("$root/.debs/python-django-doc/$djpage:django-querysets.html" "$root/.debs/python-flask-doc/$flpage:flask-api.html")
# sphreq names both files: configuration.html and api.html say little.
sphpage=usr/share/doc/sphinx-doc/html/usage/configuration.html
reqpage=usr/share/doc/python-requests-doc/html/api.html
sphreq_files=("$root/.debs/sphinx-doc/$sphpage:sphinx-configuration.html" "$root/.debs/python-requests-doc/$reqpage:requests-api.html")
# pdxml names the pandas file (groupby.html says little); libxml2's keeps
# its own name, which its links to itself use.
pdpage=usr/share/doc/python-pandas-doc/html/user_guide/groupby.html
xmlpage=usr/share/doc/libxml2/html/html/libxml-parser.html
pdxml_files=("$root/.debs/python-pandas-doc/$pdpage:pandas-groupby.html" "$root/.debs/libxml2-doc/$xmlpage")
# atmom names both files: api.html and docelement.html say little.
atpage=usr/share/doc/python-attr-doc/html/api.html
mompage=usr/share/doc/groff-base/html/mom/docelement.html
atmom_files=("$root/.debs/python-attr-doc/$atpage:attrs-api.html" "$root/.debs/groff/$mompage:mom-docelement.html")
# sqvg names both files: postgresql.html and manual-core.html say little.
sqpage=usr/share/doc/python-sqlalchemy-doc/html/dialects/postgresql.html
vgpage=usr/share/doc/valgrind/html/manual-core.html
sqvg_files=("$root/.debs/python-sqlalchemy-doc/$sqpage:sqlalchemy-postgresql.html" "$root/.debs/valgrind/$vgpage:valgrind-core.html")
# ydcal names both files: file.Tags.html and index.html say little.
ydpage=usr/share/doc/yard/doc/file.Tags.html
calpage=usr/share/doc/libcalendar-ocaml/_html/calendar/CalendarLib/Date/index.html
ydcal_files=("$root/.debs/yard-doc/$ydpage:yard-tags.html" "$root/.debs/libcalendar-ocaml-doc/$calpage:calendar-date.html")
# ocdply names both files: Eliom_state.html and rowwise.html say little.
elpage=usr/share/doc/libeliom-ocaml-doc/server/api.docdir/Eliom_state.html
dppage=usr/lib/R/site-library/dplyr/doc/rowwise.html
ocdply_files=("$root/.debs/libeliom-ocaml-doc/$elpage:eliom-state.html" "$root/.debs/r-cran-dplyr/$dppage:dplyr-rowwise.html")
# crhdoc names both files: Client.html and htmldoc.html say little.
crpage=usr/share/doc/crystal/api-docs/HTTP/Client.html
hdpage=usr/share/doc/htmldoc/htmldoc.html
crhdoc_files=("$root/.debs/crystal-doc/$crpage:crystal-http-client.html" "$root/.debs/htmldoc-common/$hdpage:htmldoc-manual.html")
# chzfpd names both files: foreign.html and fpdoc.html say little.
chzpage=usr/share/doc/chezscheme-doc/html/foreign.html
fpdpage=usr/share/doc/fp-docs/3.2.2/fpdoc/fpdoc.html
chzfpd_files=("$root/.debs/chezscheme-doc/$chzpage:chez-foreign.html" "$root/.debs/fp-docs-3.2.2/$fpdpage:fpdoc-manual.html")
# drfuvi names both files: both are index.html in their guide's folder.
drfpage=usr/share/doc/python3-djangorestframework/html/api-guide/fields/index.html
uvipage=usr/share/doc/python-uvicorn-doc/html/deployment/index.html
drfuvi_files=("$root/.debs/python-djangorestframework-doc/$drfpage:drf-fields.html" "$root/.debs/python-uvicorn-doc/$uvipage:uvicorn-deployment.html")
# wchslm names both files: the package's names carry the language and
# the manual section's dot.
wchpage=usr/share/doc/weechat-doc/html/weechat_relay_protocol.en.html
slmpage=usr/share/doc/slurm-wlm/html/slurm.conf.html
wchslm_files=("$root/.debs/weechat-doc/$wchpage:weechat-relay.html" "$root/.debs/slurm-wlm-doc/$slmpage:slurm-conf.html")
# nimgap names both files: manual.html and chap21.html say little.
nimpage=usr/share/doc/nim/html/manual.html
gappage=usr/share/gap/doc/ref/chap21.html
nimgap_files=("$root/.debs/nim-doc/$nimpage:nim-manual.html" "$root/.debs/gap-doc/$gappage:gap-lists.html")
# swicpp names both files: http.html and overload_resolution.html say
# little without their folders.
swipage=usr/share/swi-prolog/doc/packages/http.html
cpppage=usr/share/cppreference/doc/html/en/cpp/language/overload_resolution.html
swicpp_files=("$root/.debs/swi-prolog-doc/$swipage:swi-http.html" "$root/.debs/cppreference-doc-en-html/$cpppage:cppref-overload.html")
# l2hsca names both files: node7.html and Regex.html say little.
l2hpage=usr/share/doc/latex2html/html/node7.html
scapage=usr/share/doc/scala-2.11/api/library/scala/util/matching/Regex.html
l2hsca_files=("$root/.debs/latex2html/$l2hpage:l2h-node7.html" "$root/.debs/scala-doc/$scapage:scala-regex.html")
# cupiki names both files: cupspm.html and write.html say little.
cuppage=usr/share/cups/doc-root/help/cupspm.html
ikipage=usr/share/doc/ikiwiki/html/plugins/write.html
cupiki_files=("$root/.debs/cups-server-common/$cuppage:cups-programming.html" "$root/.debs/ikiwiki/$ikipage:ikiwiki-plugin-write.html")
# awetin names awesome's client.html; terminfo.5.html keeps its name,
# which its links to itself use.
awepage=usr/share/doc/awesome/doc/classes/client.html
tinpage=usr/share/doc/ncurses-doc/html/man/terminfo.5.html
awetin_files=("$root/.debs/awesome-doc/$awepage:awesome-client.html" "$root/.debs/ncurses-doc/$tinpage")
# swgtom names SWIG's Python.html and Tomcat's valve.html.
swgpage=usr/share/doc/swig4.0-doc/Manual/Python.html
tompage=usr/share/tomcat10-docs/docs/config/valve.html
swgtom_files=("$root/.debs/swig4.0-doc/$swgpage:swig-python.html" "$root/.debs/tomcat10-docs/$tompage:tomcat-valve.html")
# texchk names the TeX Live Guide and CHICKEN's base module page (its
# name has spaces and parentheses).
texpage=usr/share/doc/texlive-doc/texlive/texlive-en/texlive-en.html
chkpage="usr/share/doc/chicken-bin/manual-html/Module (chicken base).html"
texchk_files=("$root/.debs/texlive-base/$texpage:texlive-guide.html" "$root/.debs/chicken-bin/$chkpage:chicken-base.html")
# cppprv names the C++ Annotations' chapter 18 (annpage: cpppage is
# swicpp's) and Privoxy's actions file chapter.
annpage=usr/share/doc/c++-annotations/html/cplusplus18.html
prvpage=usr/share/doc/privoxy/user-manual/actions-file.html
cppprv_files=("$root/.debs/c++-annotations-html/$annpage:cpp-stl.html" "$root/.debs/privoxy/$prvpage:privoxy-actions.html")
# rcsnit names rclone's user manual and tcllib's snit page.
rclpage=usr/share/doc/rclone/MANUAL.html
snitpage=usr/share/doc/tcllib/html/snit.html
rcsnit_files=("$root/.debs/rclone/$rclpage:rclone-manual.html" "$root/.debs/tcllib/$snitpage:tcl-snit.html")
# povsch names POV-Ray's scene language reference and Scheme 48's
# library chapter.
povpage=usr/share/doc/povray/html/r3_4.html
s48page=usr/share/doc/scheme48/html/manual-Z-H-6.html
povsch_files=("$root/.debs/povray-doc/$povpage:povray-scene.html" "$root/.debs/scheme48-doc/$s48page:scheme48-libraries.html")
# jadeb names the Developer's Reference chapter (pkgs.html says little);
# Debian Reference's ch02.ja.html keeps its name, which its table of
# contents and its links to itself use.
devrefpage=usr/share/developers-reference/ja/pkgs.html
debrefpage=usr/share/debian-reference/ch02.ja.html
jadeb_files=("$root/.debs/developers-reference-ja/$devrefpage:devref-pkgs.html" "$root/.debs/debian-reference-ja/$debrefpage")
# dkcomp's pages are gzipped in their packages (Debian compresses
# documentation); they are unpacked as they are and gunzipped under the
# names the questions use.
dkpage=usr/share/doc/docker-doc/reference/builder.md.gz
cmppage=usr/share/doc/composer/03-cli.md.gz
# radgnu keeps both PDFs' names. r-doc-pdf's manual/R-admin.pdf under
# its doc folder is a symbolic link to this file.
rapage=usr/share/R/doc/manual/R-admin.pdf
gnupage=usr/share/doc/gnuplot/gnuplot.pdf
radgnu_files=("$root/.debs/r-doc-pdf/$rapage" "$root/.debs/gnuplot-doc/$gnupage")

missing=()
for p in python3-doc manpages-ja mandoc perl bash-doc sqlite3-doc git-doc postgresql-doc-15 apache2-doc lua5.1-doc autoconf-doc libtool-doc golang-1.19-doc haproxy-doc perl-doc docutils-doc doxygen-doc rust-doc libjs-underscore graphviz-doc postfix-doc zsh-doc imagemagick-6-doc exim4-doc-html vim-doc r-doc-html; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt-get install ${missing[*]}"
	as_root apt-get update -qq >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# unpack_page PKG PATH: downloads PKG's .deb and unpacks the one file
# PATH into $root/.debs/PKG, unless it is there.
unpack_page() {
	local pkg=$1 path=$2
	[ -f "$root/.debs/$pkg/$path" ] && return
	log "apt-get download $pkg (unpacking $path, not installing)"
	mkdir -p "$root/.debs/$pkg"
	rm -f "$root/.debs/${pkg}"_*.deb
	(cd "$root/.debs" && { apt-get download "$pkg" >&2 ||
		{ as_root apt-get update -qq >&2 && apt-get download "$pkg" >&2; }; })
	dpkg-deb --fsys-tarfile "$root/.debs/${pkg}"_*.deb | tar -x -C "$root/.debs/$pkg" "./$path"
	rm -f "$root/.debs/${pkg}"_*.deb
}
unpack_page nodejs-doc "$nodepage"
unpack_page openjdk-17-doc "$jdkpage"
unpack_page libglib2.0-doc "$glibpage"
unpack_page ffmpeg-doc "$ffpage"
unpack_page lynx-common "$lynxpage"
unpack_page bind9-doc "$bindpage"
unpack_page mutt "$muttpage"
unpack_page erlang-doc "$erlpage"
unpack_page ghc-doc "$hspage"
unpack_page libgtk-4-doc "$gtkpage"
unpack_page qtbase5-doc-html "$qtpage"
unpack_page mkdocs-doc "$mkdpage"
unpack_page asciidoctor-doc "$rbpage"
unpack_page racket-doc "$rktpage"
unpack_page verilator "$vlpage"
unpack_page groonga-doc "$grnpage"
unpack_page putty-doc "$ptypage"
unpack_page python-tornado-doc "$tndpage"
unpack_page gettext-doc "$gtpage"
unpack_page libsdl2-doc "$sdlpage"
unpack_page cmake-doc "$cmpage"
unpack_page libboost1.81-doc "$bstpage"
unpack_page python-django-doc "$djpage"
unpack_page python-flask-doc "$flpage"
unpack_page sphinx-doc "$sphpage"
unpack_page python-requests-doc "$reqpage"
unpack_page python-pandas-doc "$pdpage"
unpack_page libxml2-doc "$xmlpage"
unpack_page python-attr-doc "$atpage"
unpack_page groff "$mompage"
unpack_page python-sqlalchemy-doc "$sqpage"
unpack_page valgrind "$vgpage"
unpack_page yard-doc "$ydpage"
unpack_page libcalendar-ocaml-doc "$calpage"
unpack_page libeliom-ocaml-doc "$elpage"
unpack_page r-cran-dplyr "$dppage"
unpack_page crystal-doc "$crpage"
unpack_page htmldoc-common "$hdpage"
unpack_page chezscheme-doc "$chzpage"
unpack_page fp-docs-3.2.2 "$fpdpage"
unpack_page python-djangorestframework-doc "$drfpage"
unpack_page python-uvicorn-doc "$uvipage"
unpack_page weechat-doc "$wchpage"
unpack_page slurm-wlm-doc "$slmpage"
unpack_page nim-doc "$nimpage"
unpack_page gap-doc "$gappage"
unpack_page swi-prolog-doc "$swipage"
unpack_page cppreference-doc-en-html "$cpppage"
unpack_page latex2html "$l2hpage"
unpack_page scala-doc "$scapage"
unpack_page cups-server-common "$cuppage"
unpack_page ikiwiki "$ikipage"
unpack_page awesome-doc "$awepage"
unpack_page ncurses-doc "$tinpage"
unpack_page swig4.0-doc "$swgpage"
unpack_page tomcat10-docs "$tompage"
unpack_page texlive-base "$texpage"
unpack_page chicken-bin "$chkpage"
unpack_page c++-annotations-html "$annpage"
unpack_page privoxy "$prvpage"
unpack_page rclone "$rclpage"
unpack_page tcllib "$snitpage"
unpack_page povray-doc "$povpage"
unpack_page scheme48-doc "$s48page"
unpack_page developers-reference-ja "$devrefpage"
unpack_page debian-reference-ja "$debrefpage"
unpack_page docker-doc "$dkpage"
unpack_page composer "$cmppage"
unpack_page r-doc-pdf "$rapage"
unpack_page gnuplot-doc "$gnupage"

# python3-doc depends on the versioned python3.X-doc that holds the pages;
# take the newest if several are installed.
pylib=$(find /usr/share/doc -maxdepth 3 -path '/usr/share/doc/python3.*/html/library' -type d | sort -V | tail -n 1)
if [ -z "$pylib" ]; then
	log "no /usr/share/doc/python3.*/html/library after installing python3-doc"
	exit 1
fi
# perl-doc keeps the pods under the versioned /usr/share/perl/5.X.Y/pod;
# take the newest.
perlre_pod=$(find /usr/share/perl -path '/usr/share/perl/*/pod/perlre.pod' | sort -V | tail -n 1)
if [ -z "$perlre_pod" ]; then
	log "no /usr/share/perl/*/pod/perlre.pod after installing perl-doc"
	exit 1
fi

# Build into temporary folders and swap them in, so that a failed run never
# leaves a half-written corpus behind.
mkdir -p "$root"
tmp=$(mktemp -d "$root/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for c in "${corpora[@]}"; do
	mkdir "$tmp/$c"
done

for p in "${pydoc_pages[@]}"; do
	cp "$pylib/$p.html" "$tmp/pydoc/$p.html"
done
for p in "${pyref_pages[@]}"; do
	cp "$pylib/$p.html" "$tmp/pyref/$p.html"
done

# reshape turns mandoc's HTML fragment for one page into a whole page.
# Arguments: the page name ("grep") and section ("1"); fragment on stdin.
reshape() {
	perl -CSD -Mutf8 -e '
		use strict; use warnings;
		my ($name, $sec) = @ARGV;
		local $/; my $s = <STDIN>;
		# Numeric character references become characters, except the
		# ones HTML needs escaped.
		$s =~ s{&#x([0-9A-Fa-f]+);}{
			my $c = chr(hex $1);
			$c =~ /[<>&"]/ ? "&#x$1;" : $c
		}ge;
		my $cjk = qr/[\p{Han}\p{Hiragana}\p{Katakana}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]/;
		$s =~ s/($cjk)[ \t]*\n\s*($cjk)/$1$2/g while $s =~ /$cjk[ \t]*\n\s*$cjk/;
		$s =~ s{<table class="head">.*?</table>\s*}{}s;
		$s =~ s{<table class="foot">.*?</table>\s*}{}s;
		$s =~ s{<a class="permalink" href="#[^"]*">(.*?)</a>}{$1}gs;
		$s =~ s{ id="[^"]*"}{}g;
		my %seen;
		my $anchor = sub {
			my $t = shift;
			$t =~ s/<[^>]*>//g;
			$t =~ s/&[#\w]+;/ /g;
			$t =~ s/[^\p{L}\p{N}\p{M}-]+/_/g;
			$t =~ s/^_+|_+$//g;
			$t = "section" if $t eq "";
			my $n = ++$seen{$t};
			return $n == 1 ? $t : "${t}_$n";
		};
		my $heading = sub {
			my ($level, $text) = @_;
			(my $clean = $text) =~ s/\s*\n\s*/ /g;
			$clean =~ s/^\s+|\s+$//g;
			return sprintf("<h%d id=\"%s\">%s</h%d>", $level, $anchor->($text), $clean, $level);
		};
		$s =~ s{<h1 class="Sh">(.*?)</h1>}{$heading->(2, $1)}gse;
		$s =~ s{<h2 class="Ss">(.*?)</h2>}{$heading->(3, $1)}gse;
		# The title is the NAME line ("grep, egrep, fgrep - ..."), the
		# way man -k shows it.
		my $title = "$name($sec)";
		if ($s =~ m{<h2 id="[^"]*">[^<]*</h2>\s*<p[^>]*>(.*?)</p>}s) {
			(my $line = $1) =~ s/<[^>]*>//g;
			$line =~ s/\s+/ /g; $line =~ s/^ | $//g;
			$title .= ": $line" if $line ne "";
		}
		$s =~ s/^\s+|\s+$//g;
		print "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n",
			"<title>$title</title>\n</head>\n<body>\n<h1>$title</h1>\n$s\n</body>\n</html>\n";
	' "$1" "$2"
}

for p in "${manja_pages[@]}"; do
	src=/usr/share/man/ja/$p.gz
	base=$(basename "$p")
	# mandoc reads the UTF-8 source as it is (-Kutf-8); it has no date or
	# host in its output, so the result is reproducible.
	zcat "$src" | mandoc -Kutf-8 -Thtml -Ofragment | reshape "${base%.*}" "${base##*.}" >"$tmp/manja/$base.html"
done

# copy_files CORPUS FILE...: each FILE (SOURCE or SOURCE:NAME) into CORPUS.
copy_files() {
	local c=$1 f
	shift
	for f in "$@"; do
		case $f in
		*:*) cp "${f%:*}" "$tmp/$c/${f##*:}" ;;
		*) cp "$f" "$tmp/$c/$(basename "$f")" ;;
		esac
	done
}
copy_files refdoc "${refdoc_files[@]}"
copy_files gitpg "${gitpg_files[@]}"
copy_files apache "${apache_files[@]}"
copy_files nodelua "${nodelua_files[@]}"
copy_files gnuman "${gnuman_files[@]}"
copy_files gohap "${gohap_files[@]}"
copy_files sqlperl "${sqlperl_files[@]}"
copy_files rstdox "${rstdox_files[@]}"
copy_files rustund "${rustund_files[@]}"
copy_files gvtls "${gvtls_files[@]}"
copy_files zshpf "${zshpf_files[@]}"
copy_files imex "${imex_files[@]}"
copy_files vimr "${vimr_files[@]}"
copy_files jvglib "${jvglib_files[@]}"
copy_files fflynx "${fflynx_files[@]}"
zcat "$root/.debs/lynx-common/$lynxpage" >"$tmp/fflynx/lynx-guide.html"
copy_files bindmutt "${bindmutt_files[@]}"
copy_files rusterl "${rusterl_files[@]}"
copy_files hsgtk "${hsgtk_files[@]}"
copy_files qtmk "${qtmk_files[@]}"
copy_files rbrkt "${rbrkt_files[@]}"
copy_files vlgrn "${vlgrn_files[@]}"
copy_files ptytnd "${ptytnd_files[@]}"
copy_files gtsdl "${gtsdl_files[@]}"
copy_files cmbst "${cmbst_files[@]}"
copy_files djfla "${djfla_files[@]}"
copy_files sphreq "${sphreq_files[@]}"
copy_files pdxml "${pdxml_files[@]}"
copy_files atmom "${atmom_files[@]}"
copy_files sqvg "${sqvg_files[@]}"
copy_files ydcal "${ydcal_files[@]}"
copy_files ocdply "${ocdply_files[@]}"
copy_files crhdoc "${crhdoc_files[@]}"
copy_files chzfpd "${chzfpd_files[@]}"
copy_files drfuvi "${drfuvi_files[@]}"
copy_files wchslm "${wchslm_files[@]}"
copy_files nimgap "${nimgap_files[@]}"
copy_files swicpp "${swicpp_files[@]}"
copy_files l2hsca "${l2hsca_files[@]}"
copy_files cupiki "${cupiki_files[@]}"
copy_files awetin "${awetin_files[@]}"
copy_files swgtom "${swgtom_files[@]}"
copy_files texchk "${texchk_files[@]}"
copy_files cppprv "${cppprv_files[@]}"
copy_files rcsnit "${rcsnit_files[@]}"
copy_files povsch "${povsch_files[@]}"
copy_files jadeb "${jadeb_files[@]}"
zcat "$root/.debs/docker-doc/$dkpage" >"$tmp/dkcomp/dockerfile-reference.md"
zcat "$root/.debs/composer/$cmppage" >"$tmp/dkcomp/composer-cli.md"
copy_files radgnu "${radgnu_files[@]}"

# perlre.html: pod2html writes no date, host or path into the page (the
# <link rev="made"> is perl's configured perladmin, root@localhost on
# Debian). Its cache of pod paths goes to a folder of its own, run from
# there so nothing lands in the working directory; the title is fixed,
# the pod's NAME line (pod2html 1.33 leaves <title> empty otherwise); with
# no --podpath, links to other pods stay <a> without an href. Its table
# of contents (--index, the default) is kept, as pod2html makes it.
mkdir "$tmp/.pod2html"
(cd "$tmp/.pod2html" && pod2html --infile="$perlre_pod" --outfile="$tmp/sqlperl/perlre.html" \
	--cachedir="$tmp/.pod2html" --title="perlre - Perl regular expressions" --quiet)

for c in "${corpora[@]}"; do
	rm -rf "${root:?}/$c"
	mv "$tmp/$c" "$root/$c"
done
for c in "${corpora[@]}"; do
	echo "$c $root/$c"
done
