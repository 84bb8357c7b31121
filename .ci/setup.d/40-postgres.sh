# PostgreSQL for the second run of the suite (see .ci/run): Debian's
# postgresql 15, a primary cluster and a streaming replica of it made with
# pg_basebackup -R, both on 127.0.0.1 and owned by the postgres user. The
# clusters exist only for the tests: they trust local connections and skip
# fsync. .ci/run stops them when it exits.
apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null
pg_primary_port=55432
pg_replica_port=55433
pg_settings() {
	cat <<CONF
port = $1
listen_addresses = '127.0.0.1'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
hot_standby = on
CONF
}
for c in coalition_replica coalition_primary; do
	pg_dropcluster --stop 15 "$c" 2>/dev/null || true
done
# C.UTF-8: PostgreSQL folds Cyrillic only under a UTF-8 locale, and the
# server refuses a database that does not have one.
pg_createcluster 15 coalition_primary -p "$pg_primary_port" --locale C.UTF-8 --encoding UTF8 \
	--start-conf manual \
	-- --auth-local=trust --auth-host=trust >/dev/null
pg_settings "$pg_primary_port" >/etc/postgresql/15/coalition_primary/conf.d/coalition.conf
pg_ctlcluster 15 coalition_primary start
pg_createcluster 15 coalition_replica -p "$pg_replica_port" --locale C.UTF-8 --encoding UTF8 \
	--start-conf manual \
	-- --auth-local=trust --auth-host=trust >/dev/null
pg_settings "$pg_replica_port" >/etc/postgresql/15/coalition_replica/conf.d/coalition.conf
replica_data=/var/lib/postgresql/15/coalition_replica
rm -rf "$replica_data"
# A physical replication slot keeps the WAL the replica has not received yet:
# without one, a burst of writes can recycle segments before the replica
# streams them, and it stops for good ("requested WAL segment has already
# been removed").
su postgres -c "pg_basebackup -h 127.0.0.1 -p $pg_primary_port -U postgres -D $replica_data -R -X stream -C -S coalition_replica"
pg_ctlcluster 15 coalition_replica start
stop_postgres() {
	pg_ctlcluster 15 coalition_replica stop -m fast || true
	pg_ctlcluster 15 coalition_primary stop -m fast || true
}
trap stop_postgres EXIT
pg_isready -h 127.0.0.1 -p "$pg_primary_port" -t 30
pg_isready -h 127.0.0.1 -p "$pg_replica_port" -t 30
# Not exported: .ci/run passes it only to the PostgreSQL run of the suite.
pg_test_url="postgres://postgres@127.0.0.1:$pg_primary_port/postgres?sslmode=disable"
pg_test_replica_url="postgres://postgres@127.0.0.1:$pg_replica_port/postgres?sslmode=disable"
