# tests/e2e/evidence.awk: checks the responders' record of durable
# decisions (LOCKGATE_TEST_AUDIT, src/audit.c) for the safety promises,
# from the server's side: no lock ever has more live holds than its limit,
# every fence is above every fence granted before it, every release or
# refresh names a hold that was live, and no two decisions claim the same
# place in the commit order (seq).
#
# usage: sort -t= -k2,2n AUDIT | awk -f evidence.awk
#   (the record's lines sorted by seq: the order the decisions were made)
#   -v only=getlock:ID   judge and count only that lock's decisions (the
#                        seq check still looks at every line)
#   -v holds_out=FILE    also write every hold to FILE, one a line:
#                        "lock fence grant_seq grant_at end_seq end_at how",
#                        how being release, expiry (end_at is its expires,
#                        end_seq the decision that found it over) or open
#                        (still live at the end of the record; end_at is
#                        when it would expire, end_seq 0)
#
# Prints one line per violation, then a summary line:
#   evidence: G grants, R refreshes, L releases, E ended by expiry,
#   V violations, max H holders
# and exits 1 when there is a violation. A hold is live from its grant
# until its release or until the instant it expires (at an expiry instant
# it is over), judged at each decision's own time.
# The holds of each lock are kept as one string of " fence:expires" words,
# so that each decision looks only at its own lock's holds.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

# ended LOCK FENCE SEQ AT HOW: writes the hold FENCE of LOCK, over at AT
# (found by the decision SEQ), to the holds file when there is one.
function ended(lock, fence, seq, at, how) {
	if (holds_out != "")
		printf "%s %s %s %s %s %s %s\n", lock, fence, gseq[lock, fence],
		    gat[lock, fence], seq, at, how > holds_out
}
# drop_expired LOCK AT SEQ: forgets the holds of LOCK over at AT.
function drop_expired(lock, at, seq,    n, i, w, f, kept) {
	n = split(holds[lock], w, " ")
	kept = ""
	for (i = 1; i <= n; i++) {
		split(w[i], f, ":")
		if (f[2] + 0 > at + 0)
			kept = kept " " w[i]
		else {
			expired++
			ended(lock, f[1], seq, f[2], "expiry")
		}
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
	if (seq in seen) {
		printf "seq: %s taken by two decisions (%s and %s)\n", seq, seen[seq], ev " " lock
		bad++
	}
	seen[seq] = ev " " lock
	if (lock !~ /^getlock:/ || (only != "" && lock != only))
		next
	drop_expired(lock, at, seq)
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
		gseq[lock, fence] = seq
		gat[lock, fence] = at
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
		} else
			ended(lock, fence, seq, at, "release")
		forget(lock, fence)
	}
}
END {
	for (lock in holds) {
		n = split(holds[lock], w, " ")
		for (i = 1; i <= n; i++) {
			split(w[i], f, ":")
			ended(lock, f[1], 0, f[2], "open")
		}
	}
	fmt = "evidence: %d grants, %d refreshes, %d releases, %d ended by expiry, %d violations, max %d holders\n"
	printf fmt, grants + 0, refreshes + 0, releases + 0, expired + 0, bad + 0, maxheld + 0
	exit bad > 0
}
