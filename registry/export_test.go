package registry

import "github.com/airssys/rt/actor"

// Cached returns what r's send cache holds in pid's entry.
func Cached[T any, P Process[T]](r *Registry[T, P], pid actor.PID) P {
	return P(r.cache[pid.ID()%cacheSize].Load())
}
