// Command coalition runs the Coalition Directory: the API server and the
// administrative tasks around its database.
//
//	coalition serve    run the API (migrating the database and loading the demo directory into an empty one)
//	coalition migrate  bring the database schema up to date and exit
//	coalition keys     create, list and revoke API keys
//	coalition backup   write a consistent copy of the live database to a new file
//	coalition import   import organizations from CSV or NDJSON, all or nothing
//	coalition export   write organizations as NDJSON or CSV
//
// Configuration comes from flags, which override COALITION_* environment
// variables, which override the defaults; run a subcommand with -h to list them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "coalition:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks a mistake in the command line, which exits with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `usage: coalition <command> [flags]

commands:
  serve    run the API server
  migrate  bring the database schema up to date
  keys     create, list and revoke API keys
  backup   write a consistent copy of the live database to a new file
  import   import organizations from CSV or NDJSON, all or nothing
  export   write organizations as NDJSON or CSV

Run "coalition <command> -h" for the flags of a command.`

// run is the whole program, with its environment passed in so that tests
// can run it in-process. It returns when the command is done or ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "keys":
		return runKeys(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
