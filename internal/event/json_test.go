package event

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, `""`},
		{`plain`, `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\tnl\ncr\r", `"tab\tnl\ncr\r"`},
		{"\x01\x1f\x7f", `"\u0001\u001f` + "\x7f" + `"`},
		{"é–😀", `"é–😀"`},
		{"bad\xffbyte\xc3", `"bad\ufffdbyte\ufffd"`},
		{"https://x/y", `"https://x/y"`},
	}
	for _, tc := range tests {
		if got := string(AppendJSONString(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzAppendJSONString checks that the output is valid JSON decoding to the
// input with each invalid byte replaced by U+FFFD.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\n", "é\xff", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendJSONString([]byte("x"), []byte(s))[1:]
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", s, out, err)
		}
		if want := string([]rune(s)); got != want {
			t.Fatalf("%q: decodes to %q, want %q", s, got, want)
		}
	})
}
