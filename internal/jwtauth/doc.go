// Package jwtauth verifies JSON Web Tokens sent as bearer tokens, against
// the signing keys an issuer publishes as a JWK Set (Amazon Cognito user
// pools, or any OpenID Connect issuer).
//
// # What a token must be
//
// Three base64url parts within Config.MaxTokenBytes, no crit header; alg
// RS256 or ES256 (Config.Algorithms), never none or an HMAC; a kid naming
// a key of the set whose type and alg match the token's (an RSA key of
// at least 2048 bits, an ECDSA key on P-256); a valid signature; iss
// equal to Config.Issuer; exp present and not past, nbf not future, both with
// Config.ClockSkew of tolerance. The audience rule covers Cognito, whose
// access tokens carry client_id and no aud: a token with an aud claim
// passes when one of its values is in Config.Audiences; a token without
// aud passes when its client_id is.
//
// # Keys
//
// Start fetches the set in the background and refreshes it every
// Config.RefreshInterval; a failed fetch is retried after 1 s, doubling
// to 1 min (never more often than the refresh interval would), and the
// keys last fetched stay in use meanwhile. Until the first fetch
// succeeds Ready reports false and Verify refuses every token. A token
// whose kid the set lacks triggers one refresh at once, shared by every
// request that waits for it; such refreshes start at most once per
// Config.MinRefreshGap, so a flood of made-up kids costs the issuer one
// request per gap. A fetch is bounded by Config.FetchTimeout and its
// body by Config.MaxJWKSBytes.
//
// # Failures
//
// Verify's errors are *Failure values naming only a class (expired,
// bad_signature, wrong_issuer...): never the token, its claims or the
// library's message, so they may be logged as they are.
//
// # Concurrency
//
// A Verifier is safe for concurrent use. The key set is swapped whole
// behind an atomic pointer; Verify never holds a lock while it waits.
// Its goroutines end when the context given to Start is done.
package jwtauth
