package password

import "testing"

func TestHashVerify(t *testing.T) {
	p := Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}
	h, err := hashWith("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batterz", false},
		{"", false},
	}
	for _, tt := range tests {
		got, err := Verify(tt.pw, h)
		if err != nil {
			t.Fatalf("Verify(%q): %v", tt.pw, err)
		}
		if got != tt.want {
			t.Errorf("Verify(%q) = %v, want %v", tt.pw, got, tt.want)
		}
	}
}

func TestHashIsSaltedAndArgon2id(t *testing.T) {
	p := Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}
	h1, _ := hashWith("same", p)
	h2, _ := hashWith("same", p)
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal: %s", h1)
	}
	if h1[:10] != "$argon2id$" {
		t.Errorf("hash %q does not use argon2id", h1)
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$x$AA$AA"} {
		if _, err := Verify("pw", h); err != ErrMalformed {
			t.Errorf("Verify(%q) error = %v, want ErrMalformed", h, err)
		}
	}
}

func TestGenerate(t *testing.T) {
	a, b := Generate(), Generate()
	if len(a) != 20 || a == b {
		t.Errorf("Generate() = %q, %q: want two different 20-character passwords", a, b)
	}
	if err := Check(a); err != nil {
		t.Errorf("generated password fails Check: %v", err)
	}
}
