package fs

// crashHook, when set by a test, is called at each step of a write; the
// crash tests make it kill the process at a chosen step.
var crashHook func(step string)

func crashPoint(step string) {
	if crashHook != nil {
		crashHook(step)
	}
}
