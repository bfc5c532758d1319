package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// peekSize is how much decompressed input the text-encoding detection looks at.
const peekSize = 512

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decoder turns a file's bytes into a UTF-8 stream: it undoes gzip
// compression (every member of a multi-member file) and converts UTF-16 to
// UTF-8, dropping a byte-order mark.
type decoder struct {
	raw         countingReader
	gz          *gzip.Reader
	compression string
	encoding    string
}

// open detects compression and encoding by peeking at r and returns the
// decoded stream.
func (d *decoder) open(r io.Reader) (io.Reader, error) {
	d.raw.r = r
	br := bufio.NewReaderSize(&d.raw, 64<<10)
	var src *bufio.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		gz.Multistream(true)
		d.gz = gz
		d.compression = "gzip"
		src = bufio.NewReaderSize(gzipErrors{gz}, 64<<10)
	}
	head, err := src.Peek(peekSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		d.encoding = "utf-8-bom"
		src.Discard(3)
		return src, nil
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		d.encoding = "utf-16le"
		src.Discard(2)
		return transform.NewReader(src, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), nil
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		d.encoding = "utf-16be"
		src.Discard(2)
		return transform.NewReader(src, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), nil
	}
	switch utf16Guess(head) {
	case "le":
		d.encoding = "utf-16le"
		return transform.NewReader(src, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), nil
	case "be":
		d.encoding = "utf-16be"
		return transform.NewReader(src, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), nil
	}
	d.encoding = "utf-8"
	return src, nil
}

// utf16Guess recognises UTF-16 text without a byte-order mark by its NUL
// bytes: ASCII text in UTF-16LE has a NUL at every odd offset, in UTF-16BE
// at every even one. It returns "le", "be" or "".
func utf16Guess(head []byte) string {
	n := len(head) &^ 1
	if n < 4 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*7 && even*10 <= pairs:
		return "le"
	case even*10 >= pairs*7 && odd*10 <= pairs:
		return "be"
	}
	return ""
}

// gzipErrors says that the errors of a gzip stream (a corrupt or truncated
// file) come from decompressing it.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

func (d *decoder) close() {
	if d.gz != nil {
		d.gz.Close()
		d.gz = nil
	}
}
