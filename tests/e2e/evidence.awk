# tests/e2e/evidence.awk: checks the responders' record of durable
# decisions (LOCKGATE_TEST_AUDIT, src/audit.c) for the safety promises,
# from the server's side: no lock ever has more live holds than its limit,
# every fence is above every fence granted before it, and every release or
# refresh names a hold that was live.
#
# usage: sort -t= -k2,2n AUDIT | awk -f evidence.awk
#   (the record's lines sorted by seq: the order the decisions were made)
#
# Prints one line per violation, then a summary line:
#   evidence: G grants, R refreshes, L releases, E ended by expiry,
#   V violations, max H holders
# and exits 1 when there is a violation. A hold is live from its grant
# until its release or until the instant it expires (at an expiry instant
# it is over), judged at each decision's own time.
# The holds of each lock are kept as one string of " fence:expires" words,
# so that each decision looks only at its own lock's holds.

# drop_expired LOCK AT: forgets the holds of LOCK over at AT.
function drop_expired(lock, at,    n, i, w, f, kept) {
	n = split(holds[lock], w, " ")
	kept = ""
	for (i = 1; i <= n; i++) {
		split(w[i], f, ":")
		if (f[2] + 0 > at + 0)
			kept = kept " " w[i]
		else
			expired++
	}
	holds[lock] = kept
}
# has LOCK FENCE: whether LOCK has a live hold with FENCE.
function has(lock, fence) {
	return index(holds[lock] " ", " " fence ":") > 0
}
# set LOCK FENCE UNTIL: the hold FENCE of LOCK now ends at UNTIL.
function set(lock, fence, until) {
	forget(lock, fence)
	holds[lock] = holds[lock] " " fence ":" until
}
# forget LOCK FENCE: LOCK's hold FENCE is over.
function forget(lock, fence,    n, i, w, kept) {
	n = split(holds[lock], w, " ")
	kept = ""
	for (i = 1; i <= n; i++)
		if (w[i] !~ "^" fence ":")
			kept = kept " " w[i]
	holds[lock] = kept
}
# val FIELD: the value of a name=value field, as text (times in ms do not
# fit printf's %d in every awk): compare with + 0.
function val(s) { sub(/^[a-z]+=/, "", s); return s }
{
	seq = val($1); at = val($2); ev = $3; lock = $4
	fence = val($5); until = val($6); limit = val($8) + 0
	if (lock !~ /^getlock:/)
		next
	drop_expired(lock, at)
	if (ev == "grant") {
		grants++
		n = split(holds[lock], w, " ")
		if (n >= limit) {
			fmt = "overlap: %s fence %s granted at %s (seq %s) while %d of %d holds were live\n"
			printf fmt, lock, fence, at, seq, n, limit
			bad++
		}
		if (fence + 0 <= maxfence + 0) {
			fmt = "fence: %s fence %s granted at %s (seq %s) after fence %s\n"
			printf fmt, lock, fence, at, seq, maxfence
			bad++
		}
		if (fence + 0 > maxfence + 0)
			maxfence = fence
		set(lock, fence, until)
		if (n + 1 > maxheld)
			maxheld = n + 1
	} else if (ev == "refresh") {
		refreshes++
		if (!has(lock, fence)) {
			printf "refresh: %s fence %s at %s (seq %s) is no live hold\n", lock, fence, at, seq
			bad++
		}
		set(lock, fence, until)
	} else if (ev == "release") {
		releases++
		if (!has(lock, fence)) {
			printf "release: %s fence %s at %s (seq %s) is no live hold\n", lock, fence, at, seq
			bad++
		}
		forget(lock, fence)
	}
}
END {
	fmt = "evidence: %d grants, %d refreshes, %d releases, %d ended by expiry, %d violations, max %d holders\n"
	printf fmt, grants + 0, refreshes + 0, releases + 0, expired + 0, bad + 0, maxheld + 0
	exit bad > 0
}
