package sse

// rewrapMeter reports a Rewrap run's progress as (done, total): total is
// the pre-walk's count, done the records visited so far, current or not.
// Writes during the run can change the count: records added push done
// past the pre-walk's total, so total grows with done and a bar never
// overflows; records removed leave done short, so finish settles total
// down to done and a successful run ends with a full bar.
type rewrapMeter struct {
	done, total int
	report      func(done, total int)
}

// start reports the total before the first record, so a client can draw
// the bar while that record is re-sealed.
func (m *rewrapMeter) start() { m.send() }

func (m *rewrapMeter) visit() {
	m.done++
	m.total = max(m.total, m.done)
	m.send()
}

func (m *rewrapMeter) finish() {
	if m.done < m.total {
		m.total = m.done
		m.send()
	}
}

func (m *rewrapMeter) send() {
	if m.report != nil {
		m.report(m.done, m.total)
	}
}
