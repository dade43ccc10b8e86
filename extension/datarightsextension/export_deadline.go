package datarightsextension

import (
	"io"
	"net/http"
	"time"
)

// exportStall bounds how long one write of an export may wait for a client that does not read. The
// API server's write timeout (http::write_timeout, 30 s by default) covers a whole response, and a
// subject's export streams for as long as its rows take (1M rows are 455 MB): the export moves the
// deadline on with every write instead, so it runs while the client reads and stops when it stalls.
const exportStall = 30 * time.Second

// progressWriter moves the response's write deadline exportStall past each write.
type progressWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func newProgressWriter(w http.ResponseWriter) *progressWriter {
	return &progressWriter{w: w, rc: http.NewResponseController(w)}
}

func (p *progressWriter) Write(b []byte) (int, error) {
	_ = p.rc.SetWriteDeadline(time.Now().Add(exportStall)) // not supported by test recorders: no deadline to move
	return p.w.Write(b)
}
