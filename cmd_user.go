package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
)

// runUser manages people from the command line: `prefer user add`.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer,
	log *slog.Logger) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: prefer user add --email E --role annotator|lead|admin [--name N]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "email address, used to log in")
	name := fs.String("name", "", "display name (defaults to the email)")
	roleName := fs.String("role", "annotator", "annotator, lead or admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("user add: --email is required")
	}
	role, err := annotation.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("user add: --role: %w", err)
	}

	pw, generated, err := readPassword(stdin)
	if err != nil {
		return err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}

	st, closeDB, err := connect(ctx, log)
	if err != nil {
		return err
	}
	defer closeDB()

	u, err := st.CreateUser(ctx, store.NewUser{Name: *name, Email: *email, Role: role,
		PasswordHash: hash})
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(stdout, "Added %s (%s) as %s.\n", u.Name, u.Email, u.Role)
	if generated {
		fmt.Fprintf(stdout, "Password (shown once): %s\n", pw)
	}
	return nil
}

// readPassword takes the first line of stdin when it is piped in; at a
// terminal, or when the line is empty, it generates one.
func readPassword(stdin io.Reader) (pw string, generated bool, err error) {
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return password.Generate(), true, nil
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return password.Generate(), true, nil
	}
	if err := password.Check(line); err != nil {
		return "", false, err
	}
	return line, false, nil
}
