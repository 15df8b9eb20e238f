#!/usr/bin/env bash
# CLI contract: --help everywhere, one-line errors with non-zero exit and nothing written, publish, tokens,
# serve on port 0 with a graceful SIGTERM. Usage: cli_test.sh path/to/tribune
set -uo pipefail
BIN=${1:?usage: cli_test.sh TRIBUNE_BINARY}
WORK=$(mktemp -d)
SERVER_PID=
COPY_DB=  # the PostgreSQL database the store copy case creates, dropped on exit
cleanup() {
  [[ -n $SERVER_PID ]] && kill -9 "$SERVER_PID" 2>/dev/null
  [[ -n $COPY_DB ]] && psql -q "$TRIBUNE_TEST_PG" -c "DROP DATABASE IF EXISTS $COPY_DB WITH (FORCE)" >/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
count_articles() { sqlite3 "$WORK/data/tribune.db" 'SELECT count(*) FROM articles' 2>/dev/null || echo 0; }

for cmd in "" "serve" "migrate" "token create" "token list" "token revoke" "article publish" "article list" \
  "article unpublish" "article retract" "article delete" "image add" "image list" "store copy"; do
  # shellcheck disable=SC2086
  check "--help for '${cmd:-tribune}'" bash -c "'$BIN' $cmd --help | grep -q Usage"
done
check "no subcommand is an error" bash -c "! '$BIN' >/dev/null 2>&1"

# The man page (docs/tribune.1, installed by the package) names every command and subcommand the binary has.
MAN_PAGE="$(dirname "$0")/../../docs/tribune.1"
subcommands() { "$BIN" "$@" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'; }
man_page_names_every_command() {
  local missing=() cmd sub subs
  for cmd in $(subcommands); do
    subs=$(subcommands "$cmd")
    if [[ -z $subs ]]; then
      grep -qE "^\.B $cmd( |$)" "$MAN_PAGE" || missing+=("$cmd")
    fi
    for sub in $subs; do
      grep -qE "^\.B $cmd ([a-z0-9]+\|)*$sub([| ]|$)" "$MAN_PAGE" || missing+=("$cmd $sub")
    done
  done
  ((${#missing[@]} == 0)) || { echo "  not in docs/tribune.1: ${missing[*]}"; return 1; }
  [[ $(subcommands | wc -l) -ge 12 ]]  # the help was read at all
}
check "the man page names every command" man_page_names_every_command

check "migrate creates the schema" bash -c "'$BIN' migrate --data '$WORK/data' | grep -q '^schema version [1-9]'"
bad_store_url() {
  local out
  out=$("$BIN" migrate --data "$WORK/data" --store mysql://db/x 2>&1) && return 1
  [[ $out == "tribune: store URL must be"* && $out != *$'\n'* ]]
}
check "an unknown --store URL is a one-line error" bad_store_url
postgres_down() {
  local out
  out=$("$BIN" migrate --data "$WORK/data" --store postgresql://postgres@127.0.0.1:1/x 2>&1) && return 1
  [[ $out == *"not reachable (attempt 1 of 5), retrying"* && $out == *"not reachable (attempt 4 of 5)"* &&
     $(tail -n 1 <<<"$out") == "tribune: PostgreSQL could not be reached after 5 attempts: "* ]]
}
check "PostgreSQL down at start: retries, then exits with the reason" postgres_down

cat > "$WORK/good.md" <<'MD'
---
title: A test of the publishing command
authors: [Cli Tester]
author_bio: "Cli Tester is a shell script."
section: Opinion
tags: [testing]
published_at: 2020-02-02T10:00:00Z
---
Hello from the **command line**.
MD
out=$("$BIN" article publish --data "$WORK/data" "$WORK/good.md" 2>&1)
check "publish prints the article URL" grep -q "^published /opinion/2020/02/02/a-test-of-the-publishing-command at 2020-02-02T10:00:00Z$" <<<"$out"
check "publish stored one article" test "$(count_articles)" = 1

bad_case() {  # name, file contents, expected word in the one-line error
  local name=$1 text=$2 expect=$3
  printf '%s' "$text" > "$WORK/bad.md"
  local before err status
  before=$(count_articles)
  err=$("$BIN" article publish --data "$WORK/data" "$WORK/bad.md" 2>&1 >/dev/null); status=$?
  if [[ $status -ne 0 && $(wc -l <<<"$err") -eq 1 && $err == *"$expect"* && $(count_articles) == "$before" ]]; then
    ok "bad front matter: $name -> $err"
  else
    not_ok "bad front matter: $name (status $status, error '$err', articles $before -> $(count_articles))"
  fi
}
bad_case "missing title" $'---\nauthors: [A]\nsection: Opinion\n---\nbody\n' "title"
bad_case "bad date" $'---\ntitle: T\nauthors: [A]\nsection: Opinion\npublished_at: tomorrow\n---\nbody\n' "published_at"
bad_case "unknown key" $'---\ntitle: T\ncolour: red\n---\nbody\n' "colour"
bad_case "no front matter" $'just text\n' "---"
bad_case "bad slug" $'---\ntitle: T\nslug: Not A Slug\nauthors: [A]\nsection: Opinion\n---\nbody\n' "slug"
bad_case "empty body" $'---\ntitle: T\nauthors: [A]\nsection: Opinion\n---\n\n' "body"
bad_case "reserved section" $'---\ntitle: T\nauthors: [A]\nsection: API\n---\nbody\n' "section"
bad_case "bad status" $'---\ntitle: T\nauthors: [A]\nsection: Opinion\nstatus: deleted\n---\nbody\n' "status"
check "missing file is a one-line error" bash -c "'$BIN' article publish --data '$WORK/data' '$WORK/none.md' 2>&1 | grep -q 'tribune:'"

token=$("$BIN" token create --data "$WORK/data" --name ci --role editor)
check "token create prints a token" grep -qE '^trb_[A-Za-z0-9_-]{43}$' <<<"$token"
check "token create prints the token and nothing else (scripts read it)" test "$(wc -l <<<"$token")" -eq 1
check "the token is not stored in clear" bash -c "! grep -qa -- '$token' '$WORK/data/tribune.db'"
check "token with a bad role is refused" bash -c "! '$BIN' token create --data '$WORK/data' --name x --role king 2>/dev/null"
token_id=$("$BIN" token list --data "$WORK/data" | awk -F'\t' '$6 == "ci" { print $1 }')
check "token list shows the token, never used, not revoked" bash -c "'$BIN' token list --data '$WORK/data' | grep -qP '^$token_id\teditor\t[0-9T:-]+Z\t-\t-\tci$'"
check "token list never prints a secret" bash -c "! '$BIN' token list --data '$WORK/data' | grep -q trb_"
check "revoking no such token is a one-line error" bash -c "'$BIN' token revoke --data '$WORK/data' 99999 2>&1 | grep -q '^tribune: There is no API token 99999'"
check "bad --listen is refused" bash -c "'$BIN' serve --data '$WORK/data' --listen nonsense 2>&1 | grep -q 'HOST:PORT'"

"$BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
port=
for _ in $(seq 1 100); do
  port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$WORK/serve.out" | grep -oE '[0-9]+$' || true)
  [[ -n $port ]] && break
  sleep 0.1
done
check "serve prints its listening line" test -n "$port"
check "healthz answers" bash -c "curl -sf --max-time 5 http://127.0.0.1:$port/healthz | grep -q ok"
check "the published article is served" bash -c "curl -sf --max-time 5 http://127.0.0.1:$port/opinion/2020/02/02/a-test-of-the-publishing-command | grep -q 'command line'"
api_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/pages"; }
check "the token opens the API" test "$(api_status)" = 200
check "token list shows its last use" bash -c "'$BIN' token list --data '$WORK/data' | grep -qP '^$token_id\teditor\t[0-9T:-]+Z\t[0-9T:-]+Z\t-\tci$'"
check "token revoke says so" bash -c "'$BIN' token revoke --data '$WORK/data' $token_id | grep -qx 'revoked $token_id'"
check "the running server refuses the revoked token at once" test "$(api_status)" = 401
# An article's life from the command line, seen by the running server (it polls the store for changes).
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port$1"; }
wait_status() {  # path, status: true once the server answers it (within 5 s)
  for _ in $(seq 1 50); do [[ $(status_of "$1") == "$2" ]] && return 0; sleep 0.1; done
  return 1
}
printf -- '---\ntitle: A draft from the shell\nauthors: [A]\nsection: Opinion\nstatus: draft\npublished_at: 2021-03-03T10:00:00Z\n---\nNot yet.\n' > "$WORK/draft.md"
check "publish of a draft says so" bash -c "'$BIN' article publish --data '$WORK/data' '$WORK/draft.md' | grep -qx 'saved draft a-draft-from-the-shell'"
check "article list --status draft lists it" bash -c "'$BIN' article list --data '$WORK/data' --status draft | grep -qP '^draft\t2021-03-03T10:00:00Z\ta-draft-from-the-shell\tA draft from the shell$'"
check "a draft is not served" test "$(status_of /opinion/2021/03/03/a-draft-from-the-shell)" = 404
check "article list --status rejects nonsense" bash -c "'$BIN' article list --data '$WORK/data' --status lost 2>&1 | grep -q '^tribune: --status must be'"
piece=/opinion/2020/02/02/a-test-of-the-publishing-command
check "article unpublish says so" bash -c "'$BIN' article unpublish --data '$WORK/data' a-test-of-the-publishing-command | grep -qx 'unpublished a-test-of-the-publishing-command'"
check "the running server stops serving the unpublished piece" wait_status "$piece" 404
"$BIN" article publish --data "$WORK/data" "$WORK/good.md" >/dev/null
check "published again, it is served again" wait_status "$piece" 200
check "article retract needs a note" bash -c "! '$BIN' article retract --data '$WORK/data' a-test-of-the-publishing-command 2>/dev/null"
check "article retract prints the URL" bash -c "'$BIN' article retract --data '$WORK/data' a-test-of-the-publishing-command --note 'The quotes were invented.' | grep -qx 'retracted $piece'"
check "the retracted piece carries the notice" bash -c "for i in \$(seq 1 50); do curl -s --max-time 5 http://127.0.0.1:$port$piece | grep -q 'The quotes were invented.' && exit 0; sleep 0.1; done; exit 1"
check "article delete says so" bash -c "'$BIN' article delete --data '$WORK/data' a-test-of-the-publishing-command | grep -qx 'deleted a-test-of-the-publishing-command'"
check "the deleted piece answers 410" wait_status "$piece" 410
check "article list --status deleted lists it" bash -c "'$BIN' article list --data '$WORK/data' --status deleted | grep -q $'^deleted\t.*\ta-test-of-the-publishing-command\t'"
check "deleting no such article is a one-line error" bash -c "'$BIN' article delete --data '$WORK/data' nothing-here 2>&1 | grep -qx 'tribune: The article was not found.'"
# Images: a small PNG made here (no image tool needed), uploaded by `image add` and by an article's front matter.
python3 - "$WORK/square.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
rows = b"".join(b"\x00" + bytes((x * 4) % 256 for x in range(64 * 3)) for _ in range(48))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0)) + \
      chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
echo "not a picture" > "$WORK/fake.jpg"
check "image add needs alt text" bash -c "! '$BIN' image add --data '$WORK/data' '$WORK/square.png' 2>/dev/null"
check "image add refuses what is not a picture, in one line" bash -c \
  "'$BIN' image add --data '$WORK/data' --alt x '$WORK/fake.jpg' 2>&1 | grep -qx 'tribune: That file is not a picture Tribune can use: upload a JPEG, PNG, WebP, AVIF or GIF.'"
image_line=$("$BIN" image add --data "$WORK/data" --alt "A square" --credit "Test" "$WORK/square.png")
image_id=${image_line%%$'\t'*}
check "image add prints the id and the Markdown" test "$image_line" = "$image_id	![A square](/media/$image_id)"
check "image list lists it" bash -c "'$BIN' image list --data '$WORK/data' | grep -qP '^$image_id\t64x48\tA square$'"
check "its renditions are served" test "$(status_of "/media/$image_id/64.webp")" = 200
printf -- '---\ntitle: A piece with a picture\nauthors: [A]\nsection: Opinion\npublished_at: 2021-04-04T10:00:00Z\nimage: square.png\nimage_alt: A square, again\n---\n![The square](/media/%s)\n' "$image_id" > "$WORK/pictured.md"
check "front matter image: a file beside the article becomes its lead image" bash -c \
  "'$BIN' article publish --data '$WORK/data' '$WORK/pictured.md' | grep -q '^published '"
check "the page shows the lead image and the inline one" bash -c \
  "for i in \$(seq 1 50); do p=\$(curl -s --max-time 5 http://127.0.0.1:$port/opinion/2021/04/04/a-piece-with-a-picture); [[ \$p == *'article__lead-image'* && \$p == *'alt=\"The square\"'* ]] && exit 0; sleep 0.1; done; exit 1"
printf -- '---\ntitle: A missing picture\nauthors: [A]\nsection: Opinion\nimage: nowhere.png\nimage_alt: x\n---\nText.\n' > "$WORK/missing.md"
check "a front matter image that is not there is a one-line error" bash -c \
  "'$BIN' article publish --data '$WORK/data' '$WORK/missing.md' 2>&1 | grep -q '^tribune: image: cannot read .*nowhere.png$'"
check "token list shows when it was revoked" bash -c "'$BIN' token list --data '$WORK/data' | grep -qP '^$token_id\teditor\t[0-9T:-]+Z\t[0-9T:-]+Z\t[0-9T:-]+Z\tci$'"
kill -TERM "$SERVER_PID"
status=0
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SERVER_PID"; status=$?
SERVER_PID=
check "SIGTERM drains and exits 0" test "$status" = 0
check "integrity_check is clean" bash -c "sqlite3 '$WORK/data/tribune.db' 'PRAGMA integrity_check' | grep -qx ok"

check "store copy refuses a --to that is not PostgreSQL" bash -c \
  "'$BIN' store copy --data '$WORK/data' --to mysql://db/x 2>&1 | grep -qx 'tribune: --to must be a postgresql:// or postgres:// URL'"
if [[ -n ${TRIBUNE_TEST_PG:-} ]]; then
  # A database of its own on the test server; the URL's last path element names the database.
  COPY_DB="tribune_cli_copy_$$"
  psql -q "$TRIBUNE_TEST_PG" -c "CREATE DATABASE $COPY_DB" >/dev/null
  copy_url="${TRIBUNE_TEST_PG%/*}/$COPY_DB"
  "$BIN" store copy --data "$WORK/data" --to "$copy_url" > "$WORK/copy.out" 2> "$WORK/copy.err"; status=$?
  check "store copy exits 0" test "$status" = 0
  # Three articles by now: the published one (deleted above), the draft and the illustrated one; one image.
  check "store copy shows progress per table on stderr" grep -qx 'articles: 3 / 3' "$WORK/copy.err"
  check "store copy prints the counts on stdout" grep -qE '^articles +3 +3  yes$' "$WORK/copy.out"
  check "store copy carries the image and its renditions" grep -qE '^images +1 +1  yes$' "$WORK/copy.out"
  check "store copy prints a summary" grep -qE '^copied [0-9]+ rows in [0-9]+ tables$' "$WORK/copy.out"
  check "the copied articles are in PostgreSQL, each in its state" \
    test "$(psql -qtA "$copy_url" -c "SELECT slug || ' ' || state FROM articles ORDER BY slug")" = \
    $'a-draft-from-the-shell draft\na-piece-with-a-picture published\na-test-of-the-publishing-command deleted'
  refused_copy() {
    local out status
    out=$("$BIN" store copy --data "$WORK/data" --to "$copy_url" 2>&1 >/dev/null); status=$?
    [[ $status -eq 1 && $out == "tribune: the PostgreSQL database already holds data"* && $out != *$'\n'* ]]
  }
  check "a second copy is refused with one line" refused_copy
  check "the refused copy wrote nothing" test "$(psql -qtA "$copy_url" -c 'SELECT count(*) FROM articles')" = 3
fi

# Export and import: the whole publication to a file and back, the same bytes again.
"$BIN" export --data "$WORK/data" --out "$WORK/site.jsonl" 2> "$WORK/export.err"; status=$?
check "export exits 0" test "$status" = 0
check "export leaves no .partial file" test ! -e "$WORK/site.jsonl.partial"
check "export says what it wrote on stderr" grep -qE '^exported [0-9]+ rows in [0-9]+ tables$' "$WORK/export.err"
check "export starts with its header" bash -c "head -n1 '$WORK/site.jsonl' | grep -q '^{\"format\":\"tribune-export\",\"version\":1,'"
check "export to stdout is the same file" bash -c "'$BIN' export --data '$WORK/data' 2>/dev/null | cmp -s - '$WORK/site.jsonl'"
"$BIN" import tribune "$WORK/site.jsonl" --data "$WORK/imported" > "$WORK/import.out" 2>/dev/null; status=$?
check "import tribune exits 0" test "$status" = 0
check "import tribune prints a summary" grep -qE '^imported [0-9]+ rows in [0-9]+ tables$' "$WORK/import.out"
check "the imported store exports the same bytes" \
  bash -c "'$BIN' export --data '$WORK/imported' 2>/dev/null | cmp -s - '$WORK/site.jsonl'"
refused_import() {
  local out status
  out=$("$BIN" import tribune "$WORK/site.jsonl" --data "$WORK/imported" 2>&1 >/dev/null); status=$?
  [[ $status -eq 1 && $out == *"tribune: the target store already holds data"* ]]
}
check "a second import into the same store is refused" refused_import
head -c 2000 "$WORK/site.jsonl" > "$WORK/cut.jsonl"
cut_import() {
  local out status
  out=$("$BIN" import tribune "$WORK/cut.jsonl" --data "$WORK/cut" 2>&1 >/dev/null); status=$?
  [[ $status -eq 1 && $out == *"tribune: line "* ]] && test "$(sqlite3 "$WORK/cut/tribune.db" 'SELECT count(*) FROM articles')" = 0
}
check "a cut file is refused, naming the line, and writes nothing" cut_import

# Imports from other systems: a summary, nothing twice, and a run killed midway resumes.
for format in disqus wordpress remark42; do
  check "--help for 'import $format'" bash -c "'$BIN' import $format --help | grep -q Usage"
done
SAMPLES=$(dirname "$0")/../data/imports
"$BIN" import disqus "$SAMPLES/disqus.xml" --data "$WORK/disqus" > "$WORK/disqus.out" 2>/dev/null; status=$?
check "import disqus exits 0" test "$status" = 0
check "import disqus sums up what came in" grep -q '^comments: 7 new, 0 imported before$' "$WORK/disqus.out"
check "import disqus names what it skipped" grep -q '^skipped: 1 (no text)$' "$WORK/disqus.out"
"$BIN" import disqus "$SAMPLES/disqus.xml" --data "$WORK/disqus" > "$WORK/disqus2.out" 2>/dev/null
check "a second import disqus brings nothing twice" grep -q '^comments: 0 new, 7 imported before$' "$WORK/disqus2.out"
not_disqus() {
  local out status
  out=$("$BIN" import disqus "$SAMPLES/wordpress.xml" --data "$WORK/wrong" 2>&1 >/dev/null); status=$?
  [[ $status -eq 1 && $out == *"line 3, column 1: this is not a Disqus export"* ]] &&
    test "$(sqlite3 "$WORK/wrong/tribune.db" 'SELECT count(*) FROM articles')" = 0
}
check "a file of another format is refused, naming the line, and writes nothing" not_disqus
python3 -c "import sys; sys.path.insert(0, '$(dirname "$0")/../../bench'); import import_disqus; \
import_disqus.generate('$WORK/big.xml', 20000, 200)"
"$BIN" import disqus "$WORK/big.xml" --data "$WORK/big" --batch 50 > /dev/null 2>&1 &
IMPORT_PID=$!
for _ in $(seq 1 300); do
  n=$(sqlite3 "$WORK/big/tribune.db" "SELECT count(*) FROM comments" 2>/dev/null || echo 0)
  [[ ${n:-0} -gt 500 ]] && break
  sleep 0.05
done
kill -9 "$IMPORT_PID" 2>/dev/null; wait "$IMPORT_PID" 2>/dev/null
killed_at=$(sqlite3 "$WORK/big/tribune.db" "SELECT count(*) FROM comments")
"$BIN" import disqus "$WORK/big.xml" --data "$WORK/big" > "$WORK/big.out" 2>/dev/null; status=$?
resumed() {
  [[ $status -eq 0 && $killed_at -gt 0 && $killed_at -lt 20000 ]] &&
    [[ $(sed 's/\([0-9]\),\([0-9]\)/\1\2/g' "$WORK/big.out") == *"comments: $((20000 - killed_at)) new, $killed_at imported before"* ]] &&
    test "$(sqlite3 "$WORK/big/tribune.db" "SELECT count(*) FROM comments")" = 20000 &&
    test "$(sqlite3 "$WORK/big/tribune.db" "SELECT count(DISTINCT key) FROM import_keys WHERE kind = 'comment'")" = 20000
}
check "an import killed midway ($killed_at of 20000 in) resumes, every comment once" resumed

# Backup and restore: the restored store exports, secrets and all, the same bytes as the original.
head -c 32 /dev/urandom > "$WORK/backup.key"
"$BIN" backup --data "$WORK/data" --to "$WORK/site.backup" --key-file "$WORK/backup.key" 2> "$WORK/backup.err"; status=$?
check "backup exits 0 and says what it wrote" bash -c "test $status = 0 && grep -q '^backup written: .*, encrypted$' '$WORK/backup.err'"
check "the backup file is readable by its owner only" test "$(stat -c %a "$WORK/site.backup")" = 600
restore_without_key() {
  local out status
  out=$("$BIN" restore "$WORK/site.backup" --data "$WORK/restored" 2>&1); status=$?
  [[ $status -eq 1 && $out == *"the backup is encrypted: give its --key-file"* ]]
}
check "an encrypted backup does not restore without its key" restore_without_key
"$BIN" restore "$WORK/site.backup" --data "$WORK/restored" --key-file "$WORK/backup.key" > /dev/null 2>&1; status=$?
check "restore exits 0" test "$status" = 0
check "the restored store is the original, secrets and all" bash -c \
  "cmp -s <('$BIN' export --data '$WORK/data' --with-secrets 2>/dev/null) <('$BIN' export --data '$WORK/restored' --with-secrets 2>/dev/null)"

# The doctor, run as the service user would be: one who may not read the data directory.
unreadable_data() {
  local parent out status
  parent=$(mktemp -d /tmp/tribune-doctor.XXXXXX)
  chmod 755 "$parent" && mkdir "$parent/private" && chmod 700 "$parent/private"
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" doctor --data "$parent/private" 2>&1); status=$?
  rm -rf "$parent"
  [[ $status -eq 1 && $out == *"error    data: this user (uid 65534) cannot read and write $parent/private"* &&
     $out == *"fix: chown the directory to the service user"* ]]
}
check "doctor names a data directory its user cannot read, and exits 1" unreadable_data
doctor_sound() {
  local out status
  out=$("$BIN" doctor --data "$WORK/data" 2>&1); status=$?
  # No mail server and no public URL configured here: warnings, not errors.
  [[ $status -eq 1 && $out == *"ok       store: "*"schema "*"(current)"* && $out == *"warning  mail: "* ]]
}
check "doctor on the CLI test's store: ok store, warnings for what is not configured, exits 1" doctor_sound

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
