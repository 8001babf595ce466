package ann

// prefetchRow asks the CPU to start loading n bytes at p into cache, so a
// distance computed next finds its vector there (see searchLayer).
//
//go:noescape
func prefetchRow(p *float32, n int)
