// Package servers lists the netmodels server models: the same HTTP/1.1
// responder (package httpx with package handler) served under different
// concurrency models, one package each. All returns them in the order the
// docs present them; Lookup finds one by name.
package servers
