package chunk

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// glyphText returns the text of a glyph name by the Adobe Glyph List's
// rules: the part before the first period, its components between
// underscores ("f_f_i") each a name of glyphNames, "uni" and groups of
// four hex digits, or "u" and four to six; "" when a component is none of
// these.
func glyphText(name string) string {
	name, _, _ = strings.Cut(name, ".")
	if name == "" || len(name) > 64 {
		return ""
	}
	var b strings.Builder
	for c := range strings.SplitSeq(name, "_") {
		if r, ok := glyphNames[c]; ok {
			b.WriteRune(r)
			continue
		}
		switch {
		case len(c) >= 7 && (len(c)-3)%4 == 0 && strings.HasPrefix(c, "uni"):
			for i := 3; i < len(c); i += 4 {
				r, ok := glyphHex(c[i : i+4])
				if !ok {
					return ""
				}
				b.WriteRune(r)
			}
		case len(c) >= 5 && len(c) <= 7 && c[0] == 'u':
			r, ok := glyphHex(c[1:])
			if !ok {
				return ""
			}
			b.WriteRune(r)
		default:
			return ""
		}
	}
	return b.String()
}

// glyphHex reads a code point written in upper-case hex digits, as the
// Adobe Glyph List's uniXXXX and uXXXX names write it; surrogates are
// none.
func glyphHex(h string) (rune, bool) {
	if strings.ContainsFunc(h, func(r rune) bool { return (r < '0' || r > '9') && (r < 'A' || r > 'F') }) {
		return 0, false
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil || n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
		return 0, false
	}
	return rune(n), true
}

// glyphNames maps the glyph names of Adobe's StandardEncoding,
// ISOLatin1Encoding and Symbol font, and of the encodings built into the
// Computer Modern Type 1 fonts (AMS's cm and cmextra: the text, math
// italic, symbol and extension fonts pdfTeX embeds without a ToUnicode
// map) to Unicode: 408 names. Values are the Adobe Glyph List's (2.0,
// Adobe, BSD-3-Clause: its notice is in NOTICE, beside this file), except
// its private-use ones; the 61 TeX names the list lacks (diamondmath,
// circledot, arrownortheast, ...) take the value lcdf-typetools'
// texglyphlist.txt gives first. Names without a Unicode
// value (the extension font's sized delimiters, Symbol's bracket pieces)
// are absent.
var glyphNames = map[string]rune{
	"A": 0x0041, "AE": 0x00C6, "Aacute": 0x00C1, "Acircumflex": 0x00C2, "Adieresis": 0x00C4,
	"Agrave": 0x00C0, "Alpha": 0x0391, "Aring": 0x00C5, "Atilde": 0x00C3, "B": 0x0042, "Beta": 0x0392,
	"C": 0x0043, "Ccedilla": 0x00C7, "Chi": 0x03A7, "D": 0x0044, "Delta": 0x2206, "E": 0x0045,
	"Eacute": 0x00C9, "Ecircumflex": 0x00CA, "Edieresis": 0x00CB, "Egrave": 0x00C8, "Epsilon": 0x0395,
	"Eta": 0x0397, "Eth": 0x00D0, "Euro": 0x20AC, "F": 0x0046, "G": 0x0047, "Gamma": 0x0393,
	"H": 0x0048, "I": 0x0049, "Iacute": 0x00CD, "Icircumflex": 0x00CE, "Idieresis": 0x00CF,
	"Ifractur": 0x2111, "Ifraktur": 0x2111, "Igrave": 0x00CC, "Iota": 0x0399, "J": 0x004A, "K": 0x004B,
	"Kappa": 0x039A, "L": 0x004C, "Lambda": 0x039B, "Lslash": 0x0141, "M": 0x004D, "Mu": 0x039C,
	"N": 0x004E, "Ntilde": 0x00D1, "Nu": 0x039D, "O": 0x004F, "OE": 0x0152, "Oacute": 0x00D3,
	"Ocircumflex": 0x00D4, "Odieresis": 0x00D6, "Ograve": 0x00D2, "Omega": 0x2126, "Omicron": 0x039F,
	"Oslash": 0x00D8, "Otilde": 0x00D5, "P": 0x0050, "Phi": 0x03A6, "Pi": 0x03A0, "Psi": 0x03A8,
	"Q": 0x0051, "R": 0x0052, "Rfractur": 0x211C, "Rfraktur": 0x211C, "Rho": 0x03A1, "S": 0x0053,
	"Sigma": 0x03A3, "T": 0x0054, "Tau": 0x03A4, "Theta": 0x0398, "Thorn": 0x00DE, "U": 0x0055,
	"Uacute": 0x00DA, "Ucircumflex": 0x00DB, "Udieresis": 0x00DC, "Ugrave": 0x00D9, "Upsilon": 0x03A5,
	"Upsilon1": 0x03D2, "V": 0x0056, "W": 0x0057, "X": 0x0058, "Xi": 0x039E, "Y": 0x0059,
	"Yacute": 0x00DD, "Z": 0x005A, "Zeta": 0x0396, "a": 0x0061, "aacute": 0x00E1,
	"acircumflex": 0x00E2, "acute": 0x00B4, "adieresis": 0x00E4, "ae": 0x00E6, "agrave": 0x00E0,
	"aleph": 0x2135, "alpha": 0x03B1, "ampersand": 0x0026, "angbracketleft": 0x27E8,
	"angbracketright": 0x27E9, "angle": 0x2220, "angleleft": 0x2329, "angleright": 0x232A,
	"approxequal": 0x2248, "aring": 0x00E5, "arrowboth": 0x2194, "arrowbothv": 0x2195,
	"arrowdblboth": 0x21D4, "arrowdblbothv": 0x21D5, "arrowdbldown": 0x21D3, "arrowdblleft": 0x21D0,
	"arrowdblright": 0x21D2, "arrowdblup": 0x21D1, "arrowdown": 0x2193, "arrowleft": 0x2190,
	"arrowleftbothalf": 0x21BD, "arrowlefttophalf": 0x21BC, "arrownortheast": 0x2197,
	"arrownorthwest": 0x2196, "arrowright": 0x2192, "arrowrightbothalf": 0x21C1,
	"arrowrighttophalf": 0x21C0, "arrowsoutheast": 0x2198, "arrowsouthwest": 0x2199, "arrowup": 0x2191,
	"asciicircum": 0x005E, "asciitilde": 0x007E, "asterisk": 0x002A, "asteriskmath": 0x2217,
	"at": 0x0040, "atilde": 0x00E3, "b": 0x0062, "backslash": 0x005C, "bar": 0x007C, "bardbl": 0x2225,
	"beta": 0x03B2, "braceleft": 0x007B, "braceright": 0x007D, "bracketleft": 0x005B,
	"bracketright": 0x005D, "breve": 0x02D8, "brokenbar": 0x00A6, "bullet": 0x2022, "c": 0x0063,
	"caron": 0x02C7, "carriagereturn": 0x21B5, "ccedilla": 0x00E7, "cedilla": 0x00B8,
	"ceilingleft": 0x2308, "ceilingright": 0x2309, "cent": 0x00A2, "chi": 0x03C7,
	"circlecopyrt": 0x20DD, "circledivide": 0x2298, "circledot": 0x2299, "circleminus": 0x2296,
	"circlemultiply": 0x2297, "circleplus": 0x2295, "circumflex": 0x02C6, "club": 0x2663,
	"colon": 0x003A, "comma": 0x002C, "congruent": 0x2245, "coproduct": 0x2A3F, "copyright": 0x00A9,
	"currency": 0x00A4, "d": 0x0064, "dagger": 0x2020, "daggerdbl": 0x2021, "degree": 0x00B0,
	"delta": 0x03B4, "diamond": 0x2666, "diamondmath": 0x22C4, "dieresis": 0x00A8, "divide": 0x00F7,
	"dollar": 0x0024, "dotaccent": 0x02D9, "dotlessi": 0x0131, "dotlessj": 0x0237, "dotmath": 0x22C5,
	"e": 0x0065, "eacute": 0x00E9, "ecircumflex": 0x00EA, "edieresis": 0x00EB, "egrave": 0x00E8,
	"eight": 0x0038, "element": 0x2208, "ellipsis": 0x2026, "emdash": 0x2014, "emptyset": 0x2205,
	"endash": 0x2013, "epsilon": 0x03B5, "epsilon1": 0x03F5, "equal": 0x003D, "equivalence": 0x2261,
	"equivasymptotic": 0x224D, "eta": 0x03B7, "eth": 0x00F0, "exclam": 0x0021, "exclamdown": 0x00A1,
	"existential": 0x2203, "f": 0x0066, "ff": 0xFB00, "ffi": 0xFB03, "ffl": 0xFB04, "fi": 0xFB01,
	"five": 0x0035, "fl": 0xFB02, "flat": 0x266D, "floorleft": 0x230A, "floorright": 0x230B,
	"florin": 0x0192, "follows": 0x227B, "followsequal": 0x2AB0, "four": 0x0034, "fraction": 0x2044,
	"g": 0x0067, "gamma": 0x03B3, "germandbls": 0x00DF, "gradient": 0x2207, "grave": 0x0060,
	"greater": 0x003E, "greaterequal": 0x2265, "greatermuch": 0x226B, "guillemotleft": 0x00AB,
	"guillemotright": 0x00BB, "guilsinglleft": 0x2039, "guilsinglright": 0x203A, "h": 0x0068,
	"heart": 0x2665, "hungarumlaut": 0x02DD, "hyphen": 0x002D, "i": 0x0069, "iacute": 0x00ED,
	"icircumflex": 0x00EE, "idieresis": 0x00EF, "igrave": 0x00EC, "infinity": 0x221E,
	"integral": 0x222B, "integralbt": 0x2321, "integraltp": 0x2320, "intersection": 0x2229,
	"intersectionsq": 0x2293, "iota": 0x03B9, "j": 0x006A, "k": 0x006B, "kappa": 0x03BA, "l": 0x006C,
	"lambda": 0x03BB, "latticetop": 0x22A4, "less": 0x003C, "lessequal": 0x2264, "lessmuch": 0x226A,
	"logicaland": 0x2227, "logicalnot": 0x00AC, "logicalor": 0x2228, "lozenge": 0x25CA,
	"lscript": 0x2113, "lslash": 0x0142, "m": 0x006D, "macron": 0x00AF, "minus": 0x2212,
	"minusplus": 0x2213, "minute": 0x2032, "mu": 0x00B5, "multiply": 0x00D7, "n": 0x006E,
	"nabla": 0x2207, "natural": 0x266E, "nbspace": 0x00A0, "negationslash": 0x0338, "nine": 0x0039,
	"notelement": 0x2209, "notequal": 0x2260, "notsubset": 0x2284, "ntilde": 0x00F1, "nu": 0x03BD,
	"numbersign": 0x0023, "o": 0x006F, "oacute": 0x00F3, "ocircumflex": 0x00F4, "odieresis": 0x00F6,
	"oe": 0x0153, "ogonek": 0x02DB, "ograve": 0x00F2, "omega": 0x03C9, "omega1": 0x03D6,
	"omicron": 0x03BF, "one": 0x0031, "onehalf": 0x00BD, "onequarter": 0x00BC, "onesuperior": 0x00B9,
	"openbullet": 0x25E6, "ordfeminine": 0x00AA, "ordmasculine": 0x00BA, "oslash": 0x00F8,
	"otilde": 0x00F5, "owner": 0x220B, "p": 0x0070, "paragraph": 0x00B6, "parenleft": 0x0028,
	"parenright": 0x0029, "partialdiff": 0x2202, "percent": 0x0025, "period": 0x002E,
	"periodcentered": 0x00B7, "perpendicular": 0x22A5, "perthousand": 0x2030, "phi": 0x03C6,
	"phi1": 0x03D5, "pi": 0x03C0, "pi1": 0x03D6, "plus": 0x002B, "plusminus": 0x00B1,
	"precedes": 0x227A, "precedesequal": 0x2AAF, "prime": 0x2032, "product": 0x220F,
	"propersubset": 0x2282, "propersuperset": 0x2283, "proportional": 0x221D, "psi": 0x03C8,
	"q": 0x0071, "question": 0x003F, "questiondown": 0x00BF, "quotedbl": 0x0022,
	"quotedblbase": 0x201E, "quotedblleft": 0x201C, "quotedblright": 0x201D, "quoteleft": 0x2018,
	"quoteright": 0x2019, "quotesinglbase": 0x201A, "quotesingle": 0x0027, "r": 0x0072,
	"radical": 0x221A, "reflexsubset": 0x2286, "reflexsuperset": 0x2287, "registered": 0x00AE,
	"rho": 0x03C1, "rho1": 0x03F1, "ring": 0x02DA, "s": 0x0073, "second": 0x2033, "section": 0x00A7,
	"semicolon": 0x003B, "seven": 0x0037, "sfthyphen": 0x00AD, "sharp": 0x266F, "sigma": 0x03C3,
	"sigma1": 0x03C2, "similar": 0x223C, "similarequal": 0x2243, "six": 0x0036, "slash": 0x002F,
	"slurabove": 0x2322, "slurbelow": 0x2323, "space": 0x0020, "spade": 0x2660, "star": 0x22C6,
	"sterling": 0x00A3, "subsetsqequal": 0x2291, "suchthat": 0x220B, "summation": 0x2211,
	"supersetsqequal": 0x2292, "t": 0x0074, "tau": 0x03C4, "therefore": 0x2234, "theta": 0x03B8,
	"theta1": 0x03D1, "thorn": 0x00FE, "three": 0x0033, "threequarters": 0x00BE,
	"threesuperior": 0x00B3, "tilde": 0x02DC, "triangle": 0x25B3, "triangleinv": 0x25BD,
	"triangleleft": 0x25C1, "triangleright": 0x25B7, "turnstileleft": 0x22A2, "turnstileright": 0x22A3,
	"two": 0x0032, "twosuperior": 0x00B2, "u": 0x0075, "uacute": 0x00FA, "ucircumflex": 0x00FB,
	"udieresis": 0x00FC, "ugrave": 0x00F9, "underscore": 0x005F, "union": 0x222A, "unionmulti": 0x228E,
	"unionsq": 0x2294, "universal": 0x2200, "upsilon": 0x03C5, "v": 0x0076, "vector": 0x20D7,
	"visiblespace": 0x2423, "w": 0x0077, "weierstrass": 0x2118, "wreathproduct": 0x2240, "x": 0x0078,
	"xi": 0x03BE, "y": 0x0079, "yacute": 0x00FD, "ydieresis": 0x00FF, "yen": 0x00A5, "z": 0x007A,
	"zero": 0x0030, "zeta": 0x03B6,
}

// standardEncoding is Adobe's StandardEncoding (ISO 32000-1, D.2): the
// glyph name of each code, "" for none.
var standardEncoding = [256]string{
	"", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"space", "exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand", "quoteright",
	"parenleft", "parenright", "asterisk", "plus", "comma", "hyphen", "period", "slash",
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "colon", "semicolon", "less", "equal", "greater", "question",
	"at", "A", "B", "C", "D", "E", "F", "G",
	"H", "I", "J", "K", "L", "M", "N", "O",
	"P", "Q", "R", "S", "T", "U", "V", "W",
	"X", "Y", "Z", "bracketleft", "backslash", "bracketright", "asciicircum", "underscore",
	"quoteleft", "a", "b", "c", "d", "e", "f", "g",
	"h", "i", "j", "k", "l", "m", "n", "o",
	"p", "q", "r", "s", "t", "u", "v", "w",
	"x", "y", "z", "braceleft", "bar", "braceright", "asciitilde", "",
	"", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"", "exclamdown", "cent", "sterling", "fraction", "yen", "florin", "section",
	"currency", "quotesingle", "quotedblleft", "guillemotleft", "guilsinglleft", "guilsinglright", "fi", "fl",
	"", "endash", "dagger", "daggerdbl", "periodcentered", "", "paragraph", "bullet",
	"quotesinglbase", "quotedblbase", "quotedblright", "guillemotright", "ellipsis", "perthousand", "", "questiondown",
	"", "grave", "acute", "circumflex", "tilde", "macron", "breve", "dotaccent",
	"dieresis", "", "ring", "cedilla", "", "hungarumlaut", "ogonek", "caron",
	"emdash", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "",
	"", "AE", "", "ordfeminine", "", "", "", "",
	"Lslash", "Oslash", "OE", "ordmasculine", "", "", "", "",
	"", "ae", "", "", "", "dotlessi", "", "",
	"lslash", "oslash", "oe", "germandbls", "", "", "", "",
}
