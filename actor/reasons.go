package actor

type reason string

func (r reason) Error() string { return string(r) }

// Exit reasons. A process's exit reason is an error; these are the ones the
// runtime gives meaning to. Any other error is an abnormal exit.
var (
	// Normal is the reason of a process that finished its work. Links do
	// not propagate it to processes that do not trap exits.
	Normal error = reason("normal")
	// Shutdown is the reason a process is asked to stop with by its
	// supervisor or by System.Shutdown. Wrap it (fmt.Errorf("…: %w",
	// Shutdown)) to carry detail; IsShutdown still holds.
	Shutdown error = reason("shutdown")
	// Kill, sent with Exit(pid, Kill), ends the target untrappably with
	// reason Killed. A process that stops itself with Kill sends Kill to
	// its links as an ordinary, trappable reason.
	Kill error = reason("kill")
	// Killed is the exit reason of a process ended by Exit(pid, Kill).
	Killed error = reason("killed")
	// NoProc is the reason delivered by a link or monitor whose target did
	// not exist or had already exited.
	NoProc error = reason("noproc")
	// NoConnection is the reason delivered by a link or monitor of a
	// process on another node when that node became unreachable (Erlang's
	// noconnection): the process may still be running there. Each monitor
	// gets exactly one Down with it, each link one exit signal.
	NoConnection error = reason("noconnection")
	// Ignore, returned by Init, declines to start without failing (OTP's
	// ignore): Spawn returns a zero PID and an error wrapping Ignore, and
	// a supervisor counts the start as done with no process.
	Ignore error = reason("ignore")
)

// IsNormal reports whether reason is Normal (or wraps it). A panic is never
// normal: a *PanicError, and an error wrapping one, is not Normal even when
// the panic's value wraps Normal (as Erlang's error(normal) is abnormal).
func IsNormal(reason error) bool { return is(reason, Normal) }

// IsShutdown reports whether reason is Shutdown (or wraps it). As with
// IsNormal, a panic whose value wraps Shutdown is not a shutdown.
func IsShutdown(reason error) bool { return is(reason, Shutdown) }

// IsClean reports whether reason is a clean ending: Normal or Shutdown.
// A Transient child is restarted only when its reason is not clean. A
// panic is never clean.
func IsClean(reason error) bool { return IsNormal(reason) || IsShutdown(reason) }

// is is errors.Is(err, target) that does not look inside a *PanicError: the
// panic's value stays reachable for errors.Is and errors.As, but it does not
// make the exit clean.
func is(err, target error) bool {
	for err != nil {
		if err == target {
			return true
		}
		switch e := err.(type) {
		case *PanicError:
			return false
		case interface{ Is(error) bool }:
			if e.Is(target) {
				return true
			}
		}
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		case interface{ Unwrap() []error }:
			for _, err := range e.Unwrap() {
				if is(err, target) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
