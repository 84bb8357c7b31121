package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

const keysUsage = `usage: coalition keys <create|list|revoke> [flags]

  keys create --name NAME --role partner|editor|admin   prints the new secret alone on the first line
  keys list                                             lists keys (never their secrets)
  keys revoke ID                                        stops a key from working`

// operatorName is how the audit log names whoever runs commands on the
// server's machine.
const operatorName = "command line"

func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return usageError{"keys: no subcommand given"}
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("coalition keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var name, role string
	switch sub {
	case "create":
		fs.StringVar(&name, "name", "", "what the key is for, e.g. \"Map frontend\"")
		fs.StringVar(&role, "role", "", "partner, editor or admin")
	case "list", "revoke":
	default:
		fmt.Fprintln(stderr, keysUsage)
		return usageError{fmt.Sprintf("keys: unknown subcommand %q", sub)}
	}
	cfg, err := parseFlagSet(fs, "keys "+sub, rest, getenv, false)
	if err != nil {
		return err
	}
	var id string
	switch {
	case sub == "revoke" && fs.NArg() == 1:
		id = fs.Arg(0)
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("keys %s: unexpected argument %q", sub, fs.Arg(0))}
	case sub == "revoke":
		return usageError{"keys revoke: the key id is required"}
	}
	r, ok := directory.ParseRole(role)
	if sub == "create" && (!ok || name == "") {
		return usageError{"keys create: --name and --role (partner, editor or admin) are required"}
	}

	db, dir, err := openDirectoryWith(ctx, cfg.database(), cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	operator := directory.Operator(operatorName)
	switch sub {
	case "create":
		key, secret, err := dir.CreateKey(ctx, operator, name, r)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		fmt.Fprintf(stderr, "created %s key %s (%q); the secret above is shown only now\n", key.Role, key.ID, key.Name)
	case "list":
		keys, err := dir.Keys(ctx, operator)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tPREFIX\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.Prefix,
				k.CreatedAt.Format(time.RFC3339), formatOptional(k.LastUsedAt), formatOptional(k.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		key, err := dir.RevokeKey(ctx, operator, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s (%q) at %s\n", key.ID, key.Name, key.RevokedAt.Format(time.RFC3339))
	}
	return nil
}

func formatOptional(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
