package postgres

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlstore"
)

// serverURL returns the PostgreSQL server tests may create databases on,
// skipping the test when there is none.
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("COALITION_TEST_DATABASE_URL")
	if u == "" {
		t.Skip("COALITION_TEST_DATABASE_URL is not set: no PostgreSQL to test on")
	}
	return u
}

// createDatabase creates a database on the server with the options of
// CREATE DATABASE given, dropped when the test ends, and returns its URL.
// Its name is random, as dbtest's are: a name made from the test's, as it
// was, let two runs of the suite on one server (two worktrees) drop each
// other's databases under their connections (SQLSTATE 57P01).
func createDatabase(t *testing.T, server, options string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := "coalition_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" "+options); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestRefusesDatabaseNotUTF8 checks that Open refuses a database whose
// encoding or character type is not UTF-8, saying how to create one.
func TestRefusesDatabaseNotUTF8(t *testing.T) {
	t.Parallel()
	server := serverURL(t)
	for name, options := range map[string]string{
		"sql_ascii": "TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'",
		"ctype_c":   "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'",
	} {
		t.Run(name, func(t *testing.T) {
			db, err := Open(context.Background(), createDatabase(t, server, options))
			if err == nil {
				db.Close()
				t.Fatal("Open accepted the database")
			}
			for _, want := range []string{"UTF-8", "--locale=C.UTF-8"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to say %q", err, want)
				}
			}
		})
	}
	db, err := Open(context.Background(), createDatabase(t, server, "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"))
	if err != nil {
		t.Fatalf("a C.UTF-8 database: %v", err)
	}
	db.Close()
}

// TestQueryQuotesTerms checks that terms holding tsquery syntax (quotes,
// backslashes, colons, operators) match themselves and nothing else, in
// their fields.
func TestQueryQuotesTerms(t *testing.T) {
	t.Parallel()
	server := serverURL(t)
	ctx := context.Background()
	db, err := Open(ctx, createDatabase(t, server, "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	terms := []string{`o'neil`, `a\b`, `x:y`, `a&b|!c`, `¤приют`, `§прию`}
	name, description := strings.Join(terms[:3], " "), strings.Join(terms[3:], " ")
	if _, err := db.write.ExecContext(ctx, "INSERT INTO organization_search (docid, name, description, sort_original, sort_ru, sort_en, country_code, membership_status, filter_terms) VALUES (1, $1, $2, '', '', '', 'RU', 'member', '')", name, description); err != nil {
		t.Fatal(err)
	}
	count := func(n sqlstore.SearchNode) int {
		t.Helper()
		var got int
		if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM organization_search WHERE document @@ $1::tsquery", renderQuery(n)).Scan(&got); err != nil {
			t.Fatalf("%s: %v", renderQuery(n), err)
		}
		return got
	}
	for i, term := range terms {
		shorter := string([]rune(term)[:len([]rune(term))-1])
		// A name's terms are in the name and not in the place; a
		// description's in neither (the description is any field).
		in, notIn := directory.FieldName, directory.FieldPlace
		if i >= 3 {
			in, notIn = directory.SearchFields, directory.FieldName
		}
		for _, c := range []struct {
			n    sqlstore.SearchNode
			want int
		}{
			{sqlstore.SearchNode{Term: term, Field: directory.SearchFields}, 1},
			{sqlstore.SearchNode{Term: term, Field: in}, 1},
			{sqlstore.SearchNode{Term: term, Field: notIn}, 0},
			{sqlstore.SearchNode{Term: shorter, Prefix: true, Field: in}, 1},
			{sqlstore.SearchNode{Term: shorter, Field: directory.SearchFields}, 0},
		} {
			if got := count(c.n); got != c.want {
				t.Errorf("%s: %d matches, want %d", renderQuery(c.n), got, c.want)
			}
		}
	}
}
