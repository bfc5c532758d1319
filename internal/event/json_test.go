package event

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fastjson"
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

// TestAppendJSONNumbers: numbers JSON accepts are written as they are;
// the ones fastjson also accepts become strings, so the output stays JSON.
func TestAppendJSONNumbers(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":0}`:        `{"a":0}`,
		`{"a":-12.5e+3}`: `{"a":-12.5e+3}`,
		`{"a":00}`:       `{"a":"00"}`,
		`{"a":[1,01]}`:   `{"a":[1,"01"]}`,
		`{"a":inf}`:      `{"a":"inf"}`,
		`{"a":-NaN}`:     `{"a":"-NaN"}`,
	} {
		v, err := fastjson.Parse(in)
		if err != nil {
			t.Logf("%s: fastjson rejects it (%v)", in, err)
			continue
		}
		got := string(AppendJSON(nil, v))
		if got != want {
			t.Errorf("AppendJSON(%s) = %s, want %s", in, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("AppendJSON(%s) = %s: not JSON", in, got)
		}
	}
}

// TestValidNumber: validNumber agrees with encoding/json on numbers and
// near-numbers.
func TestValidNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "7", "-12", "10", "00", "01", "-", "", "1.", "1.5", ".5", "1.e3",
		"1e", "1e+", "1e-2", "1E7", "-0.0e0", "1.5e+10x", "+1", "1..2", "0x1", "12a"} {
		if got, want := validNumber([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validNumber(%q) = %v, encoding/json says %v", s, got, want)
		}
	}
}
